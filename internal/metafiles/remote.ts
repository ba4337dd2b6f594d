/**
 * Meta-files kept in buckets (`s3://`, `gs://`), fetched when a plan is about to read them and kept for reuse. A
 * read is reused for `reuseMs` (30 s by default), then checked against the store: an object whose ETag has not
 * changed is neither downloaded nor parsed again. A pattern may be a glob in the `files=` language
 * (`s3://bucket/rows/*.ndjson`): its objects are listed under the key's fixed folder, matched whole and read in
 * name order, as local ones are. A failure is a MetaFileError naming the URL, returned rather than thrown, so the
 * plan raises it as an alert the way it does for a local file that is missing.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import {
  type BucketAccess,
  BucketAccessError,
  type BucketScheme,
  type BucketUrl,
  isBucketUrl,
  openBucketClient,
  parseBucketUrl,
  s3Sdk,
} from "../bucket/index.ts";
import type { FetchedMetaFiles } from "../plan/index.ts";
import { compileGlob, type MetaRow } from "../rule/index.ts";
import { MetaFileError } from "../workflow/index.ts";
import { rowsOf } from "./rows.ts";

export interface RemoteMetaFilesOptions {
  readonly access: BucketAccess;
  /** How long a read is used again before the store is asked whether the file changed. */
  readonly reuseMs?: number;
  /** How long one request to the store may take. */
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

export interface RemoteMetaFiles {
  /** The rows of each of `patterns` that is a bucket URL (others are left out), or why it could not be read. */
  fetch(patterns: readonly string[]): Promise<FetchedMetaFiles>;
  /** Closes the clients' connections. */
  close(): void;
}

/** One object as last read: its ETag and its rows. */
interface Known {
  readonly etag: string;
  readonly rows: readonly MetaRow[];
}

interface Entry {
  readonly checkedAt: number;
  readonly result: readonly MetaRow[] | MetaFileError;
  /** The objects the pattern gave, by key. */
  readonly objects: ReadonlyMap<string, Known>;
}

type Sdk = Awaited<ReturnType<typeof s3Sdk>>;

/** Patterns remembered at most; the least recently used is forgotten first (backloads can name any file). */
const maxEntries = 256;
const wildcard = /[*?[\\]/;

export function remoteMetaFiles(options: RemoteMetaFilesOptions): RemoteMetaFiles {
  const reuseMs = options.reuseMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const running = new Map<string, Promise<Entry["result"]>>();
  const clients = new Map<BucketScheme, Promise<S3Client>>();

  const clientFor = (scheme: BucketScheme): Promise<S3Client> => {
    let client = clients.get(scheme);
    if (client === undefined) {
      client = openBucketClient(scheme, options.access);
      clients.set(scheme, client);
    }
    return client;
  };

  const store = (pattern: string, entry: Entry) => {
    entries.delete(pattern);
    entries.set(pattern, entry);
    if (entries.size > maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
  };

  const read = (pattern: string): Promise<Entry["result"]> => {
    const entry = entries.get(pattern);
    if (entry !== undefined && now() - entry.checkedAt < reuseMs) return Promise.resolve(entry.result);
    // Many done messages at once need the same file: they share one read.
    let reading = running.get(pattern);
    if (reading === undefined) {
      const known = entry?.objects ?? new Map<string, Known>();
      reading = refresh(pattern, known, { clientFor, timeoutMs })
        .then((fresh) => {
          store(pattern, { ...fresh, checkedAt: now() });
          return fresh.result;
        })
        .finally(() => running.delete(pattern));
      running.set(pattern, reading);
    }
    return reading;
  };

  return {
    async fetch(patterns) {
      const remote = [...new Set(patterns.filter(isBucketUrl))];
      const results = await Promise.all(remote.map(read));
      return new Map(remote.map((pattern, i) => [pattern, results[i] as Entry["result"]]));
    },
    close() {
      for (const client of clients.values()) client.then((c) => c.destroy()).catch(() => undefined);
      clients.clear();
    },
  };
}

interface Reach {
  readonly clientFor: (scheme: BucketScheme) => Promise<S3Client>;
  readonly timeoutMs: number;
}

/** Reads `pattern` again, using what is `known` for objects that did not change; never rejects. */
async function refresh(
  pattern: string,
  known: ReadonlyMap<string, Known>,
  reach: Reach,
): Promise<Omit<Entry, "checkedAt">> {
  try {
    const parsed = parseBucketUrl(pattern);
    if ("error" in parsed) throw new MetaFileError(`${pattern}: ${parsed.error}`);
    const url = parsed.url;
    const [sdk, client] = await Promise.all([s3Sdk(), reach.clientFor(url.scheme)]);
    const store: Store = { sdk, client, url, base: urlBase(pattern, url), timeoutMs: reach.timeoutMs };
    const listed = wildcard.test(url.key) ? await listMatching(store, pattern) : [{ key: url.key, etag: "" }];
    const objects = new Map<string, Known>();
    for (const { key, etag } of listed) {
      const before = known.get(key);
      objects.set(
        key,
        before !== undefined && etag !== "" && before.etag === etag
          ? before
          : await readObject(store, key, before),
      );
    }
    return { result: [...objects.values()].flatMap((o) => o.rows), objects };
  } catch (err) {
    return { result: metaFileError(err, pattern), objects: known };
  }
}

interface Store {
  readonly sdk: Sdk;
  readonly client: S3Client;
  readonly url: BucketUrl;
  /** The pattern's text up to its key (`s3://bucket/`), as written, so globs match object URLs as written. */
  readonly base: string;
  readonly timeoutMs: number;
}

function urlBase(pattern: string, url: BucketUrl): string {
  return `${pattern.slice(0, pattern.indexOf("://") + 3)}${url.bucket}/`;
}

/** The objects whose URL the glob matches, in name order, with their ETags. */
async function listMatching(store: Store, pattern: string): Promise<{ key: string; etag: string }[]> {
  const compiled = compileGlob(pattern);
  if ("error" in compiled) throw new MetaFileError(`meta-file pattern ${pattern}: ${compiled.error}`);
  const { key } = store.url;
  const prefix = key.slice(0, key.lastIndexOf("/", key.search(wildcard)) + 1);
  const found: { key: string; etag: string }[] = [];
  let token: string | undefined;
  do {
    const input = { Bucket: store.url.bucket, Prefix: prefix, ContinuationToken: token };
    const page = await store.client.send(new store.sdk.ListObjectsV2Command(input), {
      abortSignal: AbortSignal.timeout(store.timeoutMs),
    });
    for (const object of page.Contents ?? []) {
      if (object.Key !== undefined && compiled.glob.match(`${store.base}${object.Key}`))
        found.push({ key: object.Key, etag: object.ETag ?? "" });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  if (found.length === 0) throw new MetaFileError(`no files found for ${pattern}`);
  return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** One object's rows; with `before`, only when its ETag changed (the store answers 304 otherwise). */
async function readObject(store: Store, key: string, before: Known | undefined): Promise<Known> {
  const shown = `${store.base}${key}`;
  let bytes: Uint8Array;
  let etag: string;
  try {
    const input = { Bucket: store.url.bucket, Key: key, ...(before ? { IfNoneMatch: before.etag } : {}) };
    const out = await store.client.send(new store.sdk.GetObjectCommand(input), {
      abortSignal: AbortSignal.timeout(store.timeoutMs),
    });
    if (out.Body === undefined) throw new MetaFileError(`${shown}: no body in the store's answer`);
    bytes = await out.Body.transformToByteArray();
    etag = out.ETag ?? "";
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (before !== undefined && status === 304) return before;
    if (status === 404 || (err as Error).name === "NoSuchKey")
      throw new MetaFileError(`no files found for ${shown}`, { cause: err });
    throw err;
  }
  return { etag, rows: rowsOf(bytes, shown) };
}

/** Any failure as a MetaFileError that names the meta-file and says why. */
function metaFileError(err: unknown, pattern: string): MetaFileError {
  if (err instanceof MetaFileError) return err;
  if (err instanceof BucketAccessError) return new MetaFileError(`${pattern} cannot be read: ${err.message}`);
  return new MetaFileError(`${pattern}: cannot read (${reason(err)})`, { cause: err });
}

/** The most telling text of an error: the SDK's connection errors may have an empty message. */
function reason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.message !== "") return err.message;
  const inner = err instanceof AggregateError ? err.errors[0] : undefined;
  if (inner instanceof Error && inner.message !== "") return inner.message;
  const code = (err as { code?: string }).code;
  return code ?? err.name;
}
