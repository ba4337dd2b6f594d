/**
 * The flag layer: `--KEY.PATH=VALUE`, `--KEY.PATH VALUE` and `--set KEY.PATH=VALUE` for any key, with `-` or `_`
 * between words (`--done-topic`, `--nats.connect_timeout`). A boolean flag alone means true. Flags are typed by a
 * person there and then, so an unknown one is an error, not a warning. `--config FILE` (or `-c`) names the
 * file, which the caller has already read: it is skipped here.
 */
import { type Assignment, configError, type Layer } from "./layer.ts";
import { didYouMean, findKey, suggestKey } from "./match.ts";
import type { ConfigProblem } from "./types.ts";
import { fromText } from "./values.ts";

const where = { source: "flag" } as const;
const configFlags = new Set(["--config", "-c"]);
const booleanWords = /^(true|false|1|0)$/i;

/** A flag split into its key and, when written with `=`, its value. */
function split(text: string): { name: string; value: string | undefined } {
  const equals = text.indexOf("=");
  return equals < 0
    ? { name: text, value: undefined }
    : { name: text.slice(0, equals), value: text.slice(equals + 1) };
}

export function readFlagLayer(flags: readonly string[]): Layer {
  const reader = new FlagReader();
  for (let i = 0; i < flags.length; i++) i += reader.read(flags[i] ?? "", flags[i + 1]);
  return { assignments: reader.assignments, problems: reader.problems };
}

class FlagReader {
  readonly assignments: Assignment[] = [];
  readonly problems: ConfigProblem[] = [];

  /** Reads one argument; returns how many of the arguments after it were its value (0 or 1). */
  read(arg: string, next: string | undefined): number {
    if (configFlags.has(arg)) return 1;
    if (configFlags.has(split(arg).name)) return 0;
    if (arg === "--set") {
      this.readSet(next);
      return 1;
    }
    if (arg.startsWith("--set=")) {
      this.readSet(arg.slice("--set=".length));
      return 0;
    }
    if (arg.startsWith("--") && arg.length > 2) return this.readKey(arg.slice(2), next);
    this.problems.push(
      configError("", `unexpected argument ${JSON.stringify(arg)}; write --KEY=VALUE`, where),
    );
    return 0;
  }

  private readSet(assignment: string | undefined): void {
    const { name, value } = split(assignment ?? "");
    if (value !== undefined && name !== "") {
      this.set(name, value);
      return;
    }
    const message = `--set expects KEY=VALUE, got ${JSON.stringify(assignment ?? "")}`;
    this.problems.push(configError("", message, where));
  }

  private readKey(flag: string, next: string | undefined): number {
    const { name, value } = split(flag);
    const key = findKey(name.split("."))?.key;
    if (value !== undefined) {
      this.set(name, value);
      return 0;
    }
    if (key?.type === "boolean" && !booleanWords.test(next ?? "")) {
      this.set(name, "true");
      return 0;
    }
    if (next !== undefined && !next.startsWith("--")) {
      this.set(name, next);
      return 1;
    }
    if (key === undefined)
      this.set(name, ""); // reports the unknown key
    else this.problems.push(configError(key.path, `--${name} needs a value`, where));
    return 0;
  }

  private set(name: string, value: string): void {
    const segments = name.split(".");
    const match = findKey(segments);
    if (match === undefined) {
      const message = `unknown key "${name}"${didYouMean(suggestKey(segments))}`;
      this.problems.push(configError(name, message, where));
      return;
    }
    const converted = fromText(match.key, value);
    if (!converted.ok) {
      this.problems.push(configError(match.key.path, converted.message, where));
      return;
    }
    this.assignments.push({ key: match.key, value: converted.value, source: "flag", written: `--${name}` });
  }
}
