/**
 * Test fixtures for the planner: a fixed context (clock, ids, jitter, meta-files) and snapshots from TOML text.
 * Only tests import this file.
 */
import type { MetaRow } from "../rule/index.ts";
import type { Snapshot } from "../workflow/index.ts";
import { buildSnapshot } from "../workflow/index.ts";
import type { PlanContext } from "./types.ts";

export const fixedNow = new Date("2024-01-15T10:20:30Z");

/** Ids `00000000-0000-4000-8000-000000000001`, `...02`, ... in order, so expectations can name them. */
export function testContext(
  overrides: Partial<PlanContext> & { metaFiles?: Record<string, MetaRow[]> } = {},
) {
  let n = 0;
  const { metaFiles = {}, ...rest } = overrides;
  const ctx: PlanContext = {
    now: fixedNow,
    host: "test-hostname-abcdefghij-12345",
    newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`,
    random: () => 0.5,
    readMetaFile: (pattern) => {
      const rows = metaFiles[pattern];
      if (!rows) throw new Error(`no files found for ${pattern}`);
      return rows;
    },
    failedTopic: "retry-failed",
    ...rest,
  };
  return ctx;
}

export function snapshotOf(files: Record<string, string>): Snapshot {
  const list = Object.entries(files).map(([name, text]) => ({ name, path: `/wf/${name}`, text }));
  return buildSnapshot("/wf", list);
}

export function row(values: Record<string, string>): MetaRow {
  return new Map(Object.entries(values));
}
