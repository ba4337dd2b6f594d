/**
 * A task subject that is also one of taskmaster's own would loop tasks into the done or failed stream, into the
 * retries, the audit trail or the journal: such a set of workflows is refused (at start, and on a reload).
 */
import type { Snapshot } from "./types.ts";

export interface OwnSubjects {
  /** taskmaster's subjects by what they are ("done_topic", "taskmaster's retry subject" ...). */
  readonly subjects: ReadonlyMap<string, string>;
  /** Prefixes of taskmaster's subjects (the journal's), by what they are. */
  readonly prefixes: ReadonlyMap<string, string>;
}

/** The first phase whose subject (`taskPrefix` + topic) is one of taskmaster's own, said in words; else undefined. */
export function subjectClash(snapshot: Snapshot, taskPrefix: string, own: OwnSubjects): string | undefined {
  for (const phase of snapshot.phases) {
    const subject = `${taskPrefix}${phase.topic}`;
    const name =
      own.subjects.get(subject) ?? [...own.prefixes].find(([prefix]) => subject.startsWith(prefix))?.[1];
    if (name)
      return `${phase.workflow}: ${phase.key}: its subject "${subject}" is the ${name}; rename the topic`;
  }
  return undefined;
}
