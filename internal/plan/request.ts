/**
 * Reading a backload request body as flowlord's handler does: field names match case-insensitively (Go's JSON
 * decoding), and `meta` is an object of strings or of string arrays, not a mix.
 */
import { InputError } from "../errors/index.ts";
import type { BackloadRequest } from "./backload.ts";

const stringFields = ["task", "job", "template", "workflow", "by", "meta-file", "from", "to", "at"] as const;

export function parseBackloadRequest(body: unknown): BackloadRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new InputError("the backload request must be a JSON object");
  }
  const fields = new Map<string, unknown>();
  for (const [key, value] of Object.entries(body)) {
    const lower = key.toLowerCase();
    if (!fields.has(lower)) fields.set(lower, value);
  }
  const text = (name: (typeof stringFields)[number]): string => {
    const v = fields.get(name);
    if (v === undefined || v === null) return "";
    if (typeof v !== "string") throw new InputError(`${name}: must be a string`);
    return v.trim();
  };
  const execute = fields.get("execute");
  if (execute !== undefined && typeof execute !== "boolean")
    throw new InputError("Execute: must be true or false");
  const meta = readMeta(fields.get("meta"));
  return {
    task: text("task"),
    job: text("job"),
    template: text("template"),
    workflow: text("workflow"),
    by: text("by"),
    metaFile: text("meta-file"),
    from: text("from"),
    to: text("to"),
    at: text("at"),
    execute: execute === true,
    ...(meta ? { meta } : {}),
  };
}

function readMeta(value: unknown): Map<string, string[]> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new InputError('meta: must be an object such as {"name": ["a", "b"]} or {"name": "a"}');
  }
  const entries = Object.entries(value);
  const arrays = entries.filter(([, v]) => Array.isArray(v)).length;
  if (arrays !== 0 && arrays !== entries.length) {
    throw new InputError("meta: values must be all strings or all arrays of strings, not a mix");
  }
  const meta = new Map<string, string[]>();
  for (const [key, v] of entries) {
    const values: unknown[] = Array.isArray(v) ? v : [v];
    if (!values.every((x) => typeof x === "string"))
      throw new InputError(`meta.${key}: values must be strings`);
    meta.set(key, values as string[]);
  }
  return meta;
}
