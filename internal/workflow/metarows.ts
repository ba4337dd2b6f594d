/**
 * The rows of a batch `meta-file` (pure): NDJSON, one JSON object per line, or CSV with a header row (RFC 4180).
 * Flowlord read NDJSON only although its README promised CSV too; both are read here. Every error names the file
 * and the line, so a person can find the bad row.
 */
import type { MetaRow } from "../rule/index.ts";

/** A meta-file that cannot be read or parsed. */
export class MetaFileError extends Error {
  override readonly name = "MetaFileError";
}

/** One JSON object per line; blank lines are skipped. `source` names the file in errors. */
export function parseNdjson(text: string, source: string): MetaRow[] {
  const rows: MetaRow[] = [];
  withoutBom(text)
    .split("\n")
    .forEach((line, i) => {
      if (line.trim() === "") return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw new MetaFileError(`${source}:${i + 1}: not valid JSON (${why})`, { cause: err });
      }
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new MetaFileError(`${source}:${i + 1}: not a JSON object`);
      }
      rows.push(new Map(Object.entries(value).map(([k, v]: [string, unknown]) => [k, metaValue(v)])));
    });
  return rows;
}

/** A JSON value as the text a `{meta:k}` renders. */
function metaValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** CSV with a header row naming the keys; quoted fields may hold commas, `""` and newlines. */
export function parseCsv(text: string, source: string): MetaRow[] {
  const records = csvRecords(withoutBom(text), source).filter(
    (r) => !(r.fields.length === 1 && r.fields[0] === ""),
  );
  const [header, ...body] = records;
  if (header === undefined) return [];
  const seen = new Set<string>();
  for (const name of header.fields) {
    if (name === "") throw new MetaFileError(`${source}:${header.line}: the header has an empty column name`);
    if (seen.has(name))
      throw new MetaFileError(`${source}:${header.line}: the header repeats the column "${name}"`);
    seen.add(name);
  }
  return body.map((record) => {
    if (record.fields.length !== header.fields.length) {
      const count = `${record.fields.length} field${record.fields.length === 1 ? "" : "s"}`;
      throw new MetaFileError(`${source}:${record.line}: ${count}, header has ${header.fields.length}`);
    }
    return new Map(header.fields.map((name, i) => [name, record.fields[i] ?? ""]));
  });
}

interface CsvRecord {
  readonly fields: string[];
  /** 1-based line the record starts on (a quoted field may span lines). */
  readonly line: number;
}

function csvRecords(text: string, source: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  if (text === "") return records;
  const cursor = { text, source, i: 0, line: 1 };
  let fields: string[] = [];
  let start = 1;
  for (;;) {
    fields.push(cursor.text[cursor.i] === '"' ? quotedField(cursor) : plainField(cursor));
    const c = cursor.text[cursor.i];
    if (c === ",") {
      cursor.i++;
      continue;
    }
    records.push({ fields, line: start });
    if (c === undefined) break;
    cursor.i += c === "\r" ? 2 : 1;
    cursor.line++;
    if (cursor.i >= cursor.text.length) break;
    fields = [];
    start = cursor.line;
  }
  return records;
}

interface Cursor {
  readonly text: string;
  readonly source: string;
  i: number;
  line: number;
}

/** A field up to the next comma or line end; a `"` inside it is kept as written. */
function plainField(cursor: Cursor): string {
  const { text } = cursor;
  let end = cursor.i;
  while (end < text.length && text[end] !== "," && text[end] !== "\n" && !isCrlf(text, end)) end++;
  const value = text.slice(cursor.i, end);
  cursor.i = end;
  return value;
}

/** A field in double quotes, `""` standing for one quote; it must be followed by a comma or a line end. */
function quotedField(cursor: Cursor): string {
  const { text, source } = cursor;
  const opened = cursor.line;
  let value = "";
  cursor.i++;
  for (;;) {
    const c = text[cursor.i];
    if (c === undefined) throw new MetaFileError(`${source}:${opened}: unterminated quoted field`);
    if (c === '"') {
      if (text[cursor.i + 1] !== '"') break;
      value += '"';
      cursor.i += 2;
      continue;
    }
    if (c === "\n") cursor.line++;
    value += c;
    cursor.i++;
  }
  cursor.i++;
  const next = text[cursor.i];
  if (next !== undefined && next !== "," && next !== "\n" && !isCrlf(text, cursor.i)) {
    throw new MetaFileError(
      `${source}:${cursor.line}: text after a closing quote (write "" for a quote inside one)`,
    );
  }
  return value;
}

function isCrlf(text: string, i: number): boolean {
  return text[i] === "\r" && text[i + 1] === "\n";
}

function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
