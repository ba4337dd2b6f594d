/**
 * The config file layer: TOML text → the values it sets, with every problem found (a syntax error, unknown or
 * ignored keys, wrong types, bad values) and, where the key can be found, its line and column.
 */
import { parse, TomlError } from "smol-toml";
import { type Assignment, configError, configWarning, type Layer, type Where } from "./layer.ts";
import { locateKey } from "./locate.ts";
import { didYouMean, findKey, ignoredKey, isTable, type KeyMatch, suggestKey } from "./match.ts";
import type { ConfigProblem } from "./types.ts";
import { describeValue, fromToml } from "./values.ts";

type Table = Record<string, unknown>;

function isTomlTable(value: unknown): value is Table {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Reads the text of a config file. A syntax error is the only problem reported then: nothing else is known. */
export function readFileLayer(text: string): Layer {
  let document: Table;
  try {
    document = parse(text);
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    // smol-toml's message carries a code excerpt after the first line; the position is given apart.
    const reason = (err.message.split("\n")[0] ?? "").replace(/^Invalid TOML document: /, "");
    const where = { source: "file", line: err.line, column: err.column } as const;
    return { assignments: [], problems: [configError("", `invalid TOML: ${reason}`, where)] };
  }
  const reader = new FileReader(text);
  reader.walk(document, []);
  return { assignments: [...reader.assignments.values()], problems: reader.problems };
}

interface Bound extends Assignment {
  readonly alias: boolean;
}

class FileReader {
  readonly assignments = new Map<string, Bound>();
  readonly problems: ConfigProblem[] = [];

  constructor(private readonly text: string) {}

  walk(table: Table, prefix: readonly string[]): void {
    for (const [name, raw] of Object.entries(table)) {
      const segments = [...prefix, name];
      const written = segments.join(".");
      const where: Where = { source: "file", ...locateKey(this.text, segments) };
      const match = findKey(segments);
      if (match !== undefined) {
        this.bind(match, raw, written, where);
        continue;
      }
      const ignored = ignoredKey(segments);
      if (ignored !== undefined) {
        this.problems.push(configWarning(written, `ignored: ${ignored.reason}`, where));
      } else if (isTable(segments) && isTomlTable(raw)) {
        this.walk(raw, segments);
      } else if (isTable(segments)) {
        this.problems.push(configError(written, `expected a table, got ${describeValue(raw)}`, where));
      } else {
        const message = `unknown key "${written}"${didYouMean(suggestKey(segments))}`;
        this.problems.push(configWarning(written, message, where));
      }
    }
  }

  private bind(match: KeyMatch, raw: unknown, written: string, where: Where): void {
    const converted = fromToml(match.key, raw);
    if (!converted.ok) {
      this.problems.push(configError(written, converted.message, where));
      return;
    }
    const bound: Bound = {
      key: match.key,
      value: converted.value,
      source: "file",
      written,
      alias: match.alias,
      ...(where.line === undefined ? {} : { line: where.line }),
      ...(where.column === undefined ? {} : { column: where.column }),
    };
    const earlier = this.assignments.get(match.key.path);
    if (earlier === undefined) {
      this.assignments.set(match.key.path, bound);
      return;
    }
    // Two spellings of one key (flowlord's and ours, or two cases): our own name beats flowlord's, and between
    // equals the later one wins, as a later line would in one TOML table.
    const laterWins = earlier.alias || !bound.alias;
    const [kept, dropped] = laterWins ? [bound, earlier] : [earlier, bound];
    this.assignments.set(match.key.path, kept);
    const message = `ignored: "${kept.written}" also sets ${match.key.path}`;
    this.problems.push(
      configWarning(dropped.written, message, { source: "file", line: dropped.line, column: dropped.column }),
    );
  }
}
