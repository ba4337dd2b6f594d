/**
 * A fetched meta-file's bytes as rows, read the way a local one is: `.gz` gunzipped, then `.csv` as CSV and
 * anything else as NDJSON. Errors name the object's URL (and the line, from the parsers).
 */
import { gunzipSync } from "node:zlib";
import type { MetaRow } from "../rule/index.ts";
import { MetaFileError, parseCsv, parseNdjson } from "../workflow/index.ts";

export function rowsOf(bytes: Uint8Array, url: string): MetaRow[] {
  const zipped = url.endsWith(".gz");
  let data = bytes;
  if (zipped) {
    try {
      data = gunzipSync(bytes);
    } catch (err) {
      throw new MetaFileError(`${url}: not a gzip file (${(err as Error).message})`, { cause: err });
    }
  }
  const text = new TextDecoder().decode(data);
  const inner = zipped ? url.slice(0, -".gz".length) : url;
  return inner.toLowerCase().endsWith(".csv") ? parseCsv(text, url) : parseNdjson(text, url);
}
