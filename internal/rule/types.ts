/**
 * The typed form of a phase rule: flowlord's query-string rule (`cron=0 * * * *&offset=-4h&retry_delay=10s`)
 * after parsing and defaulting. Produced by `parseRule`; read by the planner and the scheduler.
 */

/** The step of a batch range (`by=`). */
export const Step = { hour: "hour", day: "day", week: "week", month: "month" } as const;
export type Step = (typeof Step)[keyof typeof Step];

/** What to do with cron slots missed while taskmaster was down (`catchup=`). */
export const Catchup = { latest: "latest", all: "all", none: "none" } as const;
export type Catchup = (typeof Catchup)[keyof typeof Catchup];

/** One row of batch data (from `meta=` or a meta-file): key → value, in key order of the source. */
export type MetaRow = ReadonlyMap<string, string>;

/** A parsed cron rule. Either a cron expression for cron-parser, or a fixed interval (`@every 90s`). */
export interface CronSpec {
  /** The spec as written in the rule (with any `CRON_TZ=`/`TZ=` prefix). */
  readonly text: string;
  /** Six fields, seconds first (`0 30 * * * *`), ready for cron-parser; "" for `@every`. */
  readonly expression: string;
  /** For `@every D`: D in milliseconds; slots are whole multiples of D since the Unix epoch. */
  readonly everyMs?: number;
  /** A zone named by a `CRON_TZ=Zone ` or `TZ=Zone ` prefix; it overrides the rule's `tz`. */
  readonly tz?: string;
}

export interface Rule {
  /** The rule as written. */
  readonly text: string;
  /** Every decoded query parameter, in the order written (repeated keys keep every value). */
  readonly params: ReadonlyMap<string, readonly string[]>;
  readonly cron?: CronSpec;
  /** IANA zone for cron fire times and template rendering; "UTC" unless `tz=` says otherwise. */
  readonly tz: string;
  /** `offset=`: added to the fire time for templates and the `cron` meta (0 when absent). */
  readonly offsetMs: number;
  /** `job=`: the job name when the phase's task has no `:job`. */
  readonly job?: string;
  /** `files=`: the glob a file's path must match. */
  readonly files?: string;
  /** `require=`: meta keys (from `{meta:key}` values) that must be non-empty in the parent's meta. */
  readonly require: readonly string[];
  /** `retry_delay=` (default 1s). */
  readonly retryDelayMs: number;
  /** True when `retry_delay` was written in the rule. */
  readonly retryDelaySet: boolean;
  /** `backoff=`: multiplier per retry (default 2; 1 is flowlord's constant delay). */
  readonly backoff: number;
  /** `retry_max_delay=` (default 1h): the cap before jitter. */
  readonly retryMaxDelayMs: number;
  /** `no_alert` present, bare or with any value but `false`/`0`. */
  readonly noAlert: boolean;
  /** `for=`: the batch range from the fire time (may be negative). */
  readonly forMs?: number;
  /** `by=`: the batch step (default day). */
  readonly by: Step;
  /** `meta=key:v1,v2|key2:w1,w2`: one row per value position. */
  readonly metaRows?: readonly MetaRow[];
  /** `meta-file=`: path or glob of an NDJSON or CSV file, one row per line. */
  readonly metaFile?: string;
  /** `catchup=` (default latest): missed slots after downtime. */
  readonly catchup: Catchup;
  /** `catchup_window=` (default 1h): how far back missed slots are looked for. */
  readonly catchupWindowMs: number;
  /** `catchup_max=` (default 100): the most slots `catchup=all` fires. */
  readonly catchupMax: number;
}

export interface RuleProblem {
  readonly severity: "error" | "warning";
  /** `rule` or `rule.<param>`. */
  readonly key: string;
  readonly message: string;
}

export interface ParsedRule {
  /** Always a usable rule: a param that failed to parse keeps its default, and a problem says so. */
  readonly rule: Rule;
  readonly problems: readonly RuleProblem[];
}
