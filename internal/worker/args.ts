/**
 * The text side of running a command per task: placeholders in its arguments, and the `::meta` lines it prints to
 * pass values downstream (the way a Go worker's `GetMeta` does).
 */
import { jobOf, parseMeta, type Task } from "../task/index.ts";

// One pass over each argument, so a task value that itself holds `{id}` is passed on literally.
const placeholder = /\{(info|id|type|job|meta:([^{}]*))\}/g;

/**
 * Replaces `{info}`, `{id}`, `{type}`, `{job}` and `{meta:KEY}` in every argument; a missing value is "". `{job}` is
 * the task's job or, as flowlord reads it, its meta `job`. Other braces are left as written.
 */
export function substituteArgs(args: readonly string[], task: Task): string[] {
  let meta: ReadonlyMap<string, string> | undefined;
  const value = (name: string, metaKey: string | undefined): string => {
    if (metaKey !== undefined) {
      meta ??= parseMeta(task.meta);
      return meta.get(metaKey) ?? "";
    }
    if (name === "info") return task.info;
    if (name === "id") return task.id ?? "";
    if (name === "type") return task.type;
    return jobOf(task);
  };
  return args.map((arg) =>
    arg.replace(placeholder, (_, name: string, metaKey: string | undefined) => value(name, metaKey)),
  );
}

const metaPrefix = "::meta ";

/** The pairs of a `::meta key=value&key2=value2` line, or undefined for any other line. */
export function metaFromLine(line: string): Map<string, string> | undefined {
  const text = line.endsWith("\r") ? line.slice(0, -1) : line;
  if (!text.startsWith(metaPrefix)) return undefined;
  return parseMeta(text.slice(metaPrefix.length).trim());
}
