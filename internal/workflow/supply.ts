/**
 * Whether each `{meta:KEY}` of a phase's template can be filled (pure). Every way a phase is triggered (its cron,
 * its files rule, a finished parent) puts known keys in the meta the template reads; a key no trigger supplies
 * renders as "" unless a worker happens to add it to the parent task's meta. That case is a warning, not an error,
 * since workers do add keys (`file=` is the usual one).
 */
import { type Problem, Severity } from "../errors/index.ts";
import type { MetaRow, Rule } from "../rule/index.ts";
import { parentsOf } from "./graph.ts";
import type { Phase } from "./types.ts";
import { at } from "./where.ts";

/** The keys a trigger supplies, or "any" when they cannot be known (a meta-file's columns). */
type Supply = ReadonlySet<string> | "any";

/** The `{meta:KEY}` keys of a template, each once, in order of appearance. */
export function templateMetaKeys(template: string): string[] {
  const keys = [...template.matchAll(/\{meta:(\w+)\}/g)].map((m) => m[1] ?? "");
  return [...new Set(keys)];
}

export function checkMetaSupply(phases: readonly Phase[]): Problem[] {
  const problems: Problem[] = [];
  for (const phase of phases) {
    const keys = templateMetaKeys(phase.template);
    if (keys.length === 0) continue;
    const supplies = triggerSupplies(phase, phases);
    // A phase nothing triggers only runs by backload, whose request may carry any meta; it has its own warning.
    if (supplies.length === 0) continue;
    for (const key of keys) {
      if (supplies.some((s) => s === "any" || s.has(key))) continue;
      problems.push({
        severity: Severity.warning,
        ...at(phase),
        key: "template",
        message: message(phase, key),
      });
    }
  }
  return problems;
}

function message(phase: Phase, key: string): string {
  const token = `{meta:${key}}`;
  if (phase.parentTopic !== "") {
    return (
      `${token} is used, but nothing supplies it to this phase ` +
      `(only a worker could; add require=${token} to skip the child when it is missing)`
    );
  }
  return `${token} is used, but nothing supplies it to this phase; it renders as ""`;
}

function triggerSupplies(phase: Phase, phases: readonly Phase[]): Supply[] {
  const supplies: Supply[] = [];
  if (phase.rule.cron !== undefined) supplies.push(cronSupply(phase.rule));
  if (phase.rule.files !== undefined) supplies.push(new Set(filesKeys(phase.rule)));
  if (phase.parentTopic !== "") supplies.push(childSupply(phase, parentsOf(phase, phases)));
  return supplies;
}

/** A cron fire fills `{meta:k}` only from its batch rows. */
function cronSupply(rule: Rule): Supply {
  return rule.metaFile !== undefined ? "any" : new Set(rowKeys(rule.metaRows));
}

/** A matched file's meta: the path, its base name, and the whole rule query. */
function filesKeys(rule: Rule): string[] {
  return ["file", "filename", "workflow", "job", ...rule.params.keys()];
}

/** A child sees its parent task's meta, plus its own require keys and batch rows. */
function childSupply(phase: Phase, parents: readonly Phase[]): Supply {
  if (phase.rule.metaFile !== undefined) return "any";
  return new Set([
    "workflow",
    "cron",
    "job",
    ...phase.rule.require,
    ...rowKeys(phase.rule.metaRows),
    ...parents.flatMap(parentTaskMeta),
  ]);
}

/** The meta keys a task of `parent` carries when it finishes, before any worker adds its own. */
function parentTaskMeta(parent: Phase): string[] {
  const keys = ["workflow", "cron", "job"];
  const { rule } = parent;
  if (rule.cron !== undefined) {
    keys.push(...rowKeys(rule.metaRows));
    // A batch from a meta-file puts the keys its template uses in each task's meta.
    if (rule.metaFile !== undefined) keys.push(...templateMetaKeys(parent.template));
  }
  if (rule.files !== undefined) keys.push(...filesKeys(rule));
  return keys;
}

function rowKeys(rows: readonly MetaRow[] | undefined): string[] {
  return (rows ?? []).flatMap((row) => [...row.keys()]);
}
