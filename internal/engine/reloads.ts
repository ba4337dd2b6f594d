/**
 * Recording the workflow sets an engine puts to use (at start and on every reload) and those it refuses. An entry's
 * id comes from the files' checksums, so engines loading the same files record it once: a `reload` from the set it
 * replaces and the set it is, so a set put back after a change is recorded again; a refusal from the set in use and
 * the problems found.
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

/** Records `snapshot` as put to use in place of `previous` (null at start: every workflow counts as changed). */
export function recordReload(
  journal: Journal,
  previous: Snapshot | null,
  snapshot: Snapshot,
  changed: readonly string[] = [...snapshot.workflows.keys()],
): Promise<void> {
  const entry: ReloadEntry = {
    type: "reload",
    workflows: snapshot.workflows.size,
    changed,
    phases: phaseEntries(snapshot),
  };
  const from = previous === null ? "" : snapshotChecksums(previous);
  return journal.record(entry, journalMsgId("reload", from, snapshotChecksums(snapshot)));
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
