/**
 * How far taskmaster's cache is behind in `make bench`: rows counted in the cache file through a read-only
 * connection, beside the writer.
 */
import Database from "better-sqlite3";

const now = () => performance.timeOrigin + performance.now();

/** Task rows published and done rows finished since `since`, in the cache file at `path`. */
function cachedSince(path: string, since: string): number {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare(
        "SELECT (SELECT count(*) FROM tasks WHERE published >= @since) + (SELECT count(*) FROM tasks WHERE done >= @since) AS n",
      )
      .get({ since }) as { n: number };
    return row.n;
  } finally {
    db.close();
  }
}

/** Seconds until the cache holds `want` rows since `since` (at most 60 s), and how many it then holds. */
export async function cacheCatchUp(
  path: string,
  since: string,
  want: number,
): Promise<{ seconds: number; rows: number }> {
  const start = now();
  let rows = cachedSince(path, since);
  while (rows < want && now() - start < 60_000) {
    await new Promise((r) => setTimeout(r, 50));
    rows = cachedSince(path, since);
  }
  return { seconds: (now() - start) / 1000, rows };
}
