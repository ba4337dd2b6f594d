/**
 * Local paths, wired to the files stream: the watcher finds completely written files under the fixed roots of the
 * absolute `files=` globs, and each one is published (JetStream, with an id from its path, size and modification
 * time; the files noticed in one turn of the event loop together, in one message) to taskmaster's own subject in the
 * files stream. From there the same durable consumer as the files topic triggers it, so a file noticed just before a
 * crash is still triggered after it. A file the ledger already knows (a startup or periodic scan finding it again) is
 * not published at all.
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
 * The most a message of local files holds: a hundred files, or 64 KiB of their stat JSON (a path can be 4 KiB long),
 * far below the limit of a files message.
 */
const filesPerMessage = 100;
const bytesPerMessage = 64 * 1024;

/** A file waiting for the end of the turn, and whoever waits for it to be stored. */
interface Queued {
  readonly stat: string;
  readonly identity: string;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * The local files handed on during one turn of the event loop, published together at its end, as few messages as
 * the limits allow: a burst's files, noticed as the looks at them come back, take one message and one ack for many
 * files instead of one each, and the files consumer works on them as one message. A file alone in its turn (a
 * steady trickle) goes out at once, alone.
 */
function publishPerTurn(publisher: Publisher): (file: LocalFile) => Promise<void> {
  let queued: Queued[] = [];
  const send = (files: Queued[]) => {
    const body = files.length === 1 ? (files[0] as Queued).stat : `[${files.map((f) => f.stat).join(",")}]`;
    const id = msgIdOf(`local-file|${files.map((f) => f.identity).join("\n")}`);
    publisher.publish(localFilesSubject, messageBytes(body), id).then(
      () => {
        for (const f of files) f.resolve();
      },
      (err: unknown) => {
        for (const f of files) f.reject(err);
      },
    );
  };
  const sendQueued = () => {
    const turn = queued;
    queued = [];
    let from = 0;
    let bytes = 0;
    turn.forEach((file, i) => {
      if (i > from && (i - from === filesPerMessage || bytes + file.stat.length > bytesPerMessage)) {
        send(turn.slice(from, i));
        from = i;
        bytes = 0;
      }
      bytes += file.stat.length + 1;
    });
    send(turn.slice(from));
  };
  return (file) =>
    new Promise<void>((resolve, reject) => {
      const created = new Date(file.mtimeMs).toISOString();
      const stat = JSON.stringify({ path: file.path, size: file.size, created, source: file.source });
      const identity = `${file.path}|${file.size}|${created}`;
      if (queued.length === 0) setImmediate(sendQueued);
      queued.push({ stat, identity, resolve, reject });
    });
}

export function watchLocalFiles(deps: LocalFilesDeps): LocalFiles {
  const { config, events } = deps;
  const publish = publishPerTurn(deps.publisher);
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
