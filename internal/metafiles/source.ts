/**
 * Every meta-file a plan will read, read before it plans: those in buckets through `RemoteMetaFiles` (fetched and
 * kept for reuse), local ones walked and read without blocking. A file that cannot be read is its `MetaFileError`,
 * handed to the plan, which raises it as the batch's alert.
 */
import type { FetchedMetaFiles } from "../plan/index.ts";
import type { MetaRow } from "../rule/index.ts";
import { MetaFileError } from "../workflow/index.ts";
import type { RemoteMetaFiles } from "./remote.ts";

export interface MetaFileReaders {
  readonly remote: Pick<RemoteMetaFiles, "fetch">;
  /** True for a pattern kept in a bucket. */
  readonly isRemote: (pattern: string) => boolean;
  /** Reads a local pattern without blocking the event loop. */
  readonly loadLocal: (pattern: string) => Promise<readonly MetaRow[]>;
}

export function metaFileSource(readers: MetaFileReaders) {
  return {
    async load(patterns: readonly string[]): Promise<FetchedMetaFiles> {
      const unique = [...new Set(patterns)];
      const remote = unique.filter(readers.isRemote);
      const local = unique.filter((p) => !readers.isRemote(p));
      const [fetched, read] = await Promise.all([
        remote.length > 0 ? readers.remote.fetch(remote) : new Map<string, readonly MetaRow[] | Error>(),
        Promise.all(local.map((pattern) => readers.loadLocal(pattern).then(ok, failed(pattern)))),
      ]);
      const all = new Map(fetched);
      local.forEach((pattern, i) => {
        const rows = read[i];
        if (rows !== undefined) all.set(pattern, rows);
      });
      return all;
    },
  };
}

const ok = (rows: readonly MetaRow[]): readonly MetaRow[] => rows;

/** A read that failed for a reason of the file's is the plan's to report; anything else is a fault here. */
const failed =
  (pattern: string) =>
  (err: unknown): Error => {
    if (err instanceof MetaFileError) return err;
    return new MetaFileError(`${pattern}: cannot read (${(err as Error).message})`, { cause: err });
  };
