/**
 * One workflow file's TOML into phases (pure): the `[[phase]]` tables, their keys matched case-insensitively as
 * flowlord's TOML decoder did, each phase's topic, job and parent, and its rule through `parseRule`.
 * Every problem names the file, the phase and the key, with the line of the phase's `[[phase]]` header.
 * Cross-phase checks (duplicates, parents, cycles) are in `validate.ts`.
 */
import { parse, TomlError } from "smol-toml";
import { type Problem, Severity } from "../errors/index.ts";
import { nearest, parseRule } from "../rule/index.ts";
import type { Phase } from "./types.ts";

export interface ParsedWorkflowFile {
  readonly phases: Phase[];
  readonly problems: Problem[];
  /** False when the text is not TOML at all: the file then yields no workflow, only its problem. */
  readonly parsed: boolean;
}

/** A problem before it knows which phase it is about. */
interface Finding {
  readonly severity: Severity;
  readonly key: string;
  readonly message: string;
}

type Field = "task" | "rule" | "dependsOn" | "retry" | "template";

/** Phase keys by their lower-case spelling; `depends_on` is ours (flowlord's decoder never bound it). */
const FIELDS: ReadonlyMap<string, Field> = new Map<string, Field>([
  ["task", "task"],
  ["rule", "rule"],
  ["dependson", "dependsOn"],
  ["depends_on", "dependsOn"],
  ["retry", "retry"],
  ["template", "template"],
]);
const FIELD_NAMES: readonly string[] = ["task", "rule", "dependsOn", "retry", "template"];

export function parseWorkflowFile(name: string, text: string): ParsedWorkflowFile {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text, { integersAsBigInt: true });
  } catch (err) {
    return { phases: [], problems: [syntaxProblem(name, err)], parsed: false };
  }
  const problems: Problem[] = [];
  const phaseKey = findPhaseKey(Object.keys(doc));
  for (const key of Object.keys(doc)) {
    if (key === phaseKey) continue;
    const hint = nearest(key, ["phase"]);
    const message = `unknown key${hint ? ` (did you mean "${hint}"?)` : ""}; only [[phase]] tables are read`;
    problems.push({ severity: Severity.warning, workflow: name, phase: "", key, message });
  }
  if (phaseKey === undefined) {
    const message = "no [[phase]] tables in this file";
    problems.push({ severity: Severity.warning, workflow: name, phase: "", key: "", message });
    return { phases: [], problems, parsed: true };
  }
  const tables = doc[phaseKey];
  if (!Array.isArray(tables)) {
    const message = `must be an array of tables ([[${phaseKey}]]), got ${describe(tables)}`;
    problems.push({ severity: Severity.error, workflow: name, phase: "", key: phaseKey, message });
    return { phases: [], problems, parsed: true };
  }
  const lines = headerLines(text, phaseKey);
  const phases: Phase[] = [];
  tables.forEach((table: unknown, index) => {
    const read = readPhase(name, index, table, lines[index]);
    if (read.phase) phases.push(read.phase);
    problems.push(...read.problems);
  });
  return { phases, problems, parsed: true };
}

/** `phase` exactly if present, else the first key equal to it ignoring case (`Phase`, `PHASE`). */
function findPhaseKey(keys: readonly string[]): string | undefined {
  if (keys.includes("phase")) return "phase";
  return keys.find((k) => k.toLowerCase() === "phase");
}

function syntaxProblem(workflow: string, err: unknown): Problem {
  const raw = err instanceof Error ? err.message : String(err);
  const first = (raw.split("\n")[0] ?? "").replace(/^Invalid TOML document:\s*/, "");
  const base = { severity: Severity.error, workflow, phase: "", key: "", message: `invalid TOML: ${first}` };
  return err instanceof TomlError ? { ...base, line: err.line, column: err.column } : base;
}

/** 1-based lines of the `[[phase]]` headers, in order (the key spelled as in the file, optionally quoted). */
function headerLines(text: string, key: string): number[] {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const header = new RegExp(`^\\s*\\[\\[\\s*(["']?)${escaped}\\1\\s*\\]\\]`);
  const lines: number[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (header.test(line)) lines.push(i + 1);
  });
  return lines;
}

interface PhaseRead {
  readonly phase?: Phase;
  readonly problems: Problem[];
}

function readPhase(workflow: string, index: number, table: unknown, line: number | undefined): PhaseRead {
  const findings: Finding[] = [];
  const label = (name: string): Problem[] =>
    findings.map((f) => ({ ...f, workflow, phase: name, ...(line === undefined ? {} : { line }) }));
  const fallbackName = `phase #${index + 1}`;
  if (!isTable(table)) {
    findings.push({ severity: Severity.error, key: "", message: `must be a table, got ${describe(table)}` });
    return { problems: label(fallbackName) };
  }
  const raw = collectFields(table, findings);
  const task = stringField(raw, "task", findings);
  const ruleText = stringField(raw, "rule", findings) ?? "";
  const dependsOn = stringField(raw, "dependsOn", findings) ?? "";
  const template = stringField(raw, "template", findings) ?? "";
  const retry = retryField(raw.get("retry"), findings);
  const parsedRule = parseRule(ruleText);
  for (const p of parsedRule.problems)
    findings.push({ severity: p.severity, key: p.key, message: p.message });
  if (task === undefined || task.trim() === "") {
    if (task !== undefined || !raw.has("task")) {
      findings.push({ severity: Severity.error, key: "task", message: "task is required" });
    }
    return { problems: label(fallbackName) };
  }
  const named = splitName(task);
  checkTask(task, named, parsedRule.rule.job, findings);
  const job = named.job ?? parsedRule.rule.job ?? "";
  const parent = splitName(dependsOn);
  if (dependsOn !== "") checkDependsOn(parent.topic, findings);
  const key = job === "" ? named.topic : `${named.topic}:${job}`;
  const phase: Phase = {
    workflow,
    index,
    ...(line === undefined ? {} : { line }),
    task,
    topic: named.topic,
    job,
    key,
    dependsOn,
    parentTopic: parent.topic,
    parentJob: parent.job ?? "",
    retry,
    template,
    rule: parsedRule.rule,
  };
  return { phase, problems: label(key) };
}

/**
 * The table's values by field. Keys spelled exactly as the field win over other spellings of it, as in flowlord's
 * decoder; a second spelling of a field and an unknown key are warnings.
 */
function collectFields(table: Record<string, unknown>, findings: Finding[]): Map<Field, unknown> {
  const exact = Object.keys(table).filter((k) => FIELD_NAMES.includes(k));
  const others = Object.keys(table).filter((k) => !FIELD_NAMES.includes(k));
  const raw = new Map<Field, unknown>();
  const spelledAs = new Map<Field, string>();
  for (const k of [...exact, ...others]) {
    const field = FIELDS.get(k.toLowerCase());
    if (field === undefined) {
      const hint = nearest(k, FIELD_NAMES);
      const message = `unknown key${hint ? ` (did you mean "${hint}"?)` : ""}; it is ignored`;
      findings.push({ severity: Severity.warning, key: k, message });
    } else if (spelledAs.has(field)) {
      const message = `also given as "${spelledAs.get(field)}"; this one is ignored`;
      findings.push({ severity: Severity.warning, key: k, message });
    } else {
      spelledAs.set(field, k);
      raw.set(field, table[k]);
    }
  }
  return raw;
}

function stringField(raw: Map<Field, unknown>, field: Field, findings: Finding[]): string | undefined {
  const value = raw.get(field);
  if (value === undefined || typeof value === "string") return value;
  findings.push({
    severity: Severity.error,
    key: field,
    message: `${field} must be a string, got ${describe(value)}`,
  });
  return undefined;
}

function retryField(value: unknown, findings: Finding[]): number {
  if (value === undefined) return 0;
  if (typeof value === "bigint" && value >= 0n && value <= BigInt(Number.MAX_SAFE_INTEGER))
    return Number(value);
  const message = `retry must be a whole number >= 0, got ${describe(value)}`;
  findings.push({ severity: Severity.error, key: "retry", message });
  return 0;
}

interface Name {
  readonly topic: string;
  /** The part after the first `:`, up to a second one; undefined when there is no `:`. */
  readonly job?: string;
  /** Whatever follows a second `:` (flowlord ignored it). */
  readonly rest?: string;
}

/** Splits `topic[:job]` as flowlord did: the job is index 1 of a split on `:`. */
function splitName(text: string): Name {
  const parts = text.split(":");
  const topic = parts[0] ?? "";
  if (parts.length === 1) return { topic };
  const job = parts[1] ?? "";
  return parts.length > 2 ? { topic, job, rest: parts.slice(2).join(":") } : { topic, job };
}

function checkTask(task: string, name: Name, ruleJob: string | undefined, findings: Finding[]): void {
  const bad = subjectFault(name.topic);
  if (bad) {
    const message = `topic "${name.topic}" is not a usable NATS subject: it ${bad}`;
    findings.push({ severity: Severity.error, key: "task", message });
  }
  if (name.rest !== undefined) {
    const message = `"${task}" has more than one ":"; the job is "${name.job}" and ":${name.rest}" is ignored`;
    findings.push({ severity: Severity.warning, key: "task", message });
  }
  if (name.job !== undefined && ruleJob !== undefined && ruleJob !== name.job) {
    const message = `job=${ruleJob} is ignored: the task names the job "${name.job}"`;
    findings.push({ severity: Severity.warning, key: "rule.job", message });
  }
}

function checkDependsOn(topic: string, findings: Finding[]): void {
  const bad = subjectFault(topic);
  if (!bad) return;
  const message = `parent topic "${topic}" is not a usable NATS subject: it ${bad}`;
  findings.push({ severity: Severity.error, key: "dependsOn", message });
}

/** Why a topic cannot be a NATS subject to publish to, or undefined when it can. */
export function subjectFault(topic: string): string | undefined {
  if (topic === "") return "is empty";
  if (/\s/.test(topic)) return "contains whitespace";
  if (/[*>]/.test(topic)) return 'contains a wildcard ("*" or ">")';
  if (topic.split(".").includes("")) return 'has an empty token (a leading, trailing or doubled ".")';
  return undefined;
}

function isTable(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

/** A TOML value as a person wrote it, for "got ..." in messages. */
function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint" || typeof value === "boolean") return String(value);
  // Integers arrive as bigint, so a whole number here was written as a float (`1.0`).
  if (typeof value === "number") return Number.isInteger(value) ? value.toFixed(1) : String(value);
  if (Array.isArray(value)) return "an array";
  if (isTable(value)) return "a table";
  return "a date";
}
