/**
 * A workflow snapshot: every phase of every workflow file under the root, parsed and validated once, immutable.
 * The runtime swaps whole snapshots; the planner reads them.
 */
import type { Problem } from "../errors/index.ts";
import type { Rule } from "../rule/index.ts";

export interface Phase {
  /** The workflow's name: its path relative to the workflow root (`f1.toml`, `sub/x.toml`). */
  readonly workflow: string;
  /** 0-based position of the phase in its file. */
  readonly index: number;
  /** 1-based line of the phase's `[[phase]]` header, when known. */
  readonly line?: number;
  /** `task` as written (`topic` or `topic:job`). */
  readonly task: string;
  /** The subject tasks of this phase go to: `task` before its first `:`. */
  readonly topic: string;
  /** `task` after its first `:`, else the rule's `job=`, else "". */
  readonly job: string;
  /** `topic` or `topic:job`: the phase's name, unique within a valid workflow. */
  readonly key: string;
  /** `dependsOn` as written ("" when none). */
  readonly dependsOn: string;
  /** The parent's topic and job from `dependsOn` (job "" matches any job of that topic). */
  readonly parentTopic: string;
  readonly parentJob: string;
  /** How many times an `error` result is retried (0 = never). */
  readonly retry: number;
  readonly template: string;
  readonly rule: Rule;
}

export interface Workflow {
  readonly name: string;
  /** The file it was read from. */
  readonly path: string;
  /** md5 hex of the file's bytes (flowlord's change detection). */
  readonly checksum: string;
  readonly phases: readonly Phase[];
}

export interface Snapshot {
  /** The workflow path the snapshot was loaded from (a file or a directory). */
  readonly root: string;
  /** By workflow name, sorted by name. Files that failed to parse are absent (their problems say why). */
  readonly workflows: ReadonlyMap<string, Workflow>;
  /** Every phase, sorted by workflow name, then by key (flowlord's order). */
  readonly phases: readonly Phase[];
  /** Every problem found, errors and warnings, in file order. */
  readonly problems: readonly Problem[];
}
