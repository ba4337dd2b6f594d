/**
 * Local paths, wired to the files stream: the watcher finds completely written files under the fixed roots of the
 * absolute `files=` globs, and each one is published (JetStream, with an id from its path, size and modification
 * time) to taskmaster's own subject in the files stream. From there the same durable consumer as the files topic
 * triggers it, so a file noticed just before a crash is still triggered after it. A file the ledger already knows
 * (a startup or periodic scan finding it again) is not published at all.
 */
import { messageBytes, msgIdOf, type Publisher } from "../../internal/bus/index.ts";
import type { Clock } from "../../internal/clock/index.ts";
import type { Config } from "../../internal/config/index.ts";
import type { EngineEvents } from "../../internal/engine/index.ts";
import { type FileLedger, type LocalFile, localRoots, watchLocal } from "../../internal/files/index.ts";
import type { Snapshot } from "../../internal/workflow/index.ts";
import { filePhases } from "../../internal/workflow/index.ts";

/** Where taskmaster puts the files it notices in watched paths, in the files stream beside the files topic. */
export const localFilesSubject = "taskmaster.files";

export interface LocalFilesDeps {
  readonly config: Config;
  readonly snapshot: Snapshot;
  readonly publisher: Publisher;
  readonly ledger: FileLedger;
  readonly events: EngineEvents;
  readonly clock: Clock;
}

export interface LocalFiles {
  update(snapshot: Snapshot): void;
  close(): Promise<void>;
}

/** The absolute `files=` globs of a snapshot. */
function patternsOf(snapshot: Snapshot): string[] {
  return filePhases(snapshot).flatMap((phase) => (phase.rule.files ? [phase.rule.files] : []));
}

/**
 * `send` for each item handed in during one turn of the event loop, all at the end of the turn. The watcher hands
 * files on one by one, as each look at one comes back; their publishes, sent together, leave in one write to the
 * server instead of one each.
 */
function perTurn<T>(send: (item: T) => Promise<void>): (item: T) => Promise<void> {
  let queued: { item: T; resolve: () => void; reject: (err: unknown) => void }[] = [];
  const sendQueued = () => {
    const now = queued;
    queued = [];
    for (const { item, resolve, reject } of now) send(item).then(resolve, reject);
  };
  return (item) =>
    new Promise<void>((resolve, reject) => {
      if (queued.length === 0) setImmediate(sendQueued);
      queued.push({ item, resolve, reject });
    });
}

export function watchLocalFiles(deps: LocalFilesDeps): LocalFiles {
  const { config, events } = deps;
  const publish = perTurn(async (file: LocalFile) => {
    const created = new Date(file.mtimeMs).toISOString();
    const stat = { path: file.path, size: file.size, created, source: file.source };
    const id = msgIdOf(`local-file|${file.path}|${file.size}|${created}`);
    await deps.publisher.publish(localFilesSubject, messageBytes(JSON.stringify(stat)), id);
  });
  const announce = async (file: LocalFile) => {
    const modified = new Date(file.mtimeMs).toISOString();
    const identity = { path: file.path, size: file.size, modified };
    // A scan finds files triggered before (the watcher only new writes): those are not published again. If the
    // ledger cannot answer, publish anyway; the consumer asks again.
    if (file.source === "scan" && (await deps.ledger.seen(identity).catch(() => null))) return;
    await publish(file);
  };
  const watcher = watchLocal({
    roots: localRoots(patternsOf(deps.snapshot)),
    settleMs: config.files.settle,
    scanIntervalMs: config.files.scanInterval,
    lookbackMs: config.files.lookback,
    clock: deps.clock,
    onFile: (file) => {
      announce(file).catch((error: unknown) => {
        // Only when shutting down: the next start's scan finds it again, as it is not remembered yet.
        const err = error instanceof Error ? error : new Error(String(error));
        events.emit({ type: "error", where: `local file ${file.path}`, error: err });
      });
    },
    onProblem: (problem) => {
      events.emit({
        type: "fileWatchProblem",
        dir: problem.dir ?? "",
        path: problem.path ?? "",
        message: problem.message,
      });
    },
    onScanned: ({ at, roots, files, newFiles }) =>
      events.emit({ type: "filesScanned", startedAt: new Date(at), roots, files, newFiles }),
  });
  return {
    update: (snapshot) => watcher.update(localRoots(patternsOf(snapshot))),
    close: () => watcher.close(),
  };
}
