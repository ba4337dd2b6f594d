/**
 * Recording the workflow sets an engine puts to use (at start and on every reload) and those it refuses. An entry's
 * id comes from the files' checksums, so engines loading the same files record it once: a `reload` from the set it
 * replaces and the set it is, so a set put back after a change is recorded again; a refusal from the set in use and
 * the problems found.
 *
 * A set of very many phases may not fit one message: its templates and rules are then shortened, and if it still does
 * not fit its phases are left out, rather than the set not recorded at all.
 */
import { formatProblem, hasErrors, type Problem, Severity } from "../errors/index.ts";
import {
  journalMsgId,
  phaseEntries,
  type ReloadEntry,
  type ReloadRejectedEntry,
  snapshotChecksums,
} from "../journal/index.ts";
import type { Snapshot } from "../workflow/index.ts";
import type { Journal } from "./journal.ts";
import { MessageTooLargeError } from "./outbox.ts";

/** How much of a template or rule is kept when a set's phases do not fit one message. */
export const shortenedText = 200;

/** Records `snapshot` as put to use in place of `previous` (null at start: every workflow counts as changed). */
export function recordReload(
  journal: Journal,
  previous: Snapshot | null,
  snapshot: Snapshot,
  changed: readonly string[] = [...snapshot.workflows.keys()],
): Promise<void> {
  const phases = phaseEntries(snapshot);
  const entry: ReloadEntry = { type: "reload", workflows: snapshot.workflows.size, changed, phases };
  const from = previous === null ? "" : snapshotChecksums(previous);
  const id = journalMsgId("reload", from, snapshotChecksums(snapshot));
  const smaller = (next: () => Promise<void>) => (err: unknown) => {
    if (!(err instanceof MessageTooLargeError)) throw err;
    return next();
  };
  const shortened = phases.map((p) => ({
    ...p,
    template: shorten(p.template),
    rule: shorten(p.rule),
    problems: p.problems.map(shorten),
  }));
  return journal
    .record(entry, id)
    .catch(smaller(() => journal.record({ ...entry, phases: shortened }, id)))
    .catch(smaller(() => journal.record({ ...entry, phases: [] }, id)));
}

function shorten(text: string): string {
  return text.length > shortenedText ? `${text.slice(0, shortenedText - 3)}...` : text;
}

/** Records a set refused for `problems` (its errors are kept); `inUse` is the set that stays. */
export function recordReloadRejected(
  journal: Journal,
  inUse: Snapshot | null,
  problems: readonly Problem[],
): Promise<void> {
  const errors = (hasErrors(problems) ? problems.filter((p) => p.severity === Severity.error) : problems).map(
    formatProblem,
  );
  const entry: ReloadRejectedEntry = { type: "reload-rejected", problems: errors };
  const set = inUse === null ? "" : snapshotChecksums(inUse);
  return journal.record(entry, journalMsgId("reload-rejected", set, ...errors));
}
