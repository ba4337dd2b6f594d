/**
 * Finding the schema key a written name means. A key binds when it is the exact snake_case name, and also when it
 * equals one ignoring case, `-` and `_`: flowlord's loader matched Go field names case-insensitively
 * (`MinFrequency`, `LocalPath`), its struct tags used dashes (`task-ttl`) and its README snake_case, so all
 * three spellings of one setting are accepted (`MinFrequency`, `minfrequency`, `min-frequency`, `min_frequency`).
 * Flowlord's other table and key names are aliases in the schema; this module also gives the "did you mean".
 */
import { nearest } from "../rule/index.ts";
import { configKeys, ignoredKeys } from "./schema.ts";
import type { ConfigKey } from "./types.ts";

function fold(segment: string): string {
  return segment.toLowerCase().replaceAll("-", "").replaceAll("_", "");
}

function foldPath(segments: readonly string[]): string {
  return segments.map(fold).join(".");
}

export interface KeyMatch {
  readonly key: ConfigKey;
  /** True when the name is one of flowlord's aliases rather than the key's own path. */
  readonly alias: boolean;
}

const byFolded = new Map<string, KeyMatch>();
/** Every folded table path that holds a key or an alias (`cache`, `cache.s3`, `sqlite` ...). */
const tables = new Set<string>();

for (const key of configKeys) {
  const names = [{ path: key.path, alias: false }, ...key.aliases.map((path) => ({ path, alias: true }))];
  for (const { path, alias } of names) {
    const segments = path.split(".");
    byFolded.set(foldPath(segments), { key, alias });
    for (let end = 1; end < segments.length; end++) tables.add(foldPath(segments.slice(0, end)));
  }
}

const ignored = new Map(
  [...ignoredKeys].map(([path, reason]) => [foldPath(path.split(".")), { path, reason }]),
);

/** The key a written path (`["sqlite", "LocalPath"]`) binds to. */
export function findKey(segments: readonly string[]): KeyMatch | undefined {
  return byFolded.get(foldPath(segments));
}

/** True when the path is a table that holds keys, so the walk goes inside it. */
export function isTable(segments: readonly string[]): boolean {
  return tables.has(foldPath(segments));
}

/** Why a key flowlord read is not used here (for it or any table above it), or undefined. */
export function ignoredKey(segments: readonly string[]): { path: string; reason: string } | undefined {
  for (let end = 1; end <= segments.length; end++) {
    const found = ignored.get(foldPath(segments.slice(0, end)));
    if (found !== undefined) return found;
  }
  return undefined;
}

const paths = configKeys.map((k) => k.path);

/**
 * The key path someone most likely meant by an unknown one: a close name in the same table first
 * (`nats.ulr` → `nats.url`), then the same name in another table (`nats.max_age` → `streams.max_age`), then the
 * closest path overall.
 */
export function suggestKey(segments: readonly string[]): string | undefined {
  const name = segments.at(-1) ?? "";
  const table = segments.slice(0, -1);
  // What can follow `table.` here: the names of its keys and of the tables inside it (`slak` → `slack`).
  const here = new Map<string, string>();
  for (const path of paths) {
    const parts = path.split(".");
    if (parts.length > table.length && foldPath(parts.slice(0, table.length)) === foldPath(table)) {
      here.set(parts[table.length] ?? "", parts.slice(0, table.length + 1).join("."));
    }
  }
  const near = nearest(name, [...here.keys()]);
  if (near !== undefined) return here.get(near);
  const moved = paths.find((path) => fold(path.split(".").at(-1) ?? "") === fold(name));
  if (moved !== undefined) return moved;
  return nearest(segments.join("."), paths);
}

/** ` did you mean "x"?` for a message, or "". */
export function didYouMean(suggestion: string | undefined): string {
  return suggestion === undefined ? "" : `; did you mean "${suggestion}"?`;
}
