/**
 * What the instances bucket says of the processes running now, read by the history: each heartbeat checked (an
 * entry that is not one is left out, never shown half read), and the engines' answers to a reload request put
 * together for the dashboard.
 */
import type { ReloadReply } from "../../internal/bus/index.ts";
import { formatProblem } from "../../internal/errors/index.ts";

/** An engine's heartbeat (see `instance.ts`). */
export interface EngineBeat {
  readonly role: "engine";
  readonly id: string;
  readonly version: string;
  readonly host: string;
  readonly pid: number;
  readonly since: string;
  readonly nats: string;
  readonly workflows: number;
  readonly phases: number;
  readonly engine: { readonly inFlight: number; readonly oldestMs: number; readonly stuck: boolean };
}

/** A history's heartbeat: its follower's mode and lag. */
export interface HistoryBeat {
  readonly role: "history";
  readonly id: string;
  readonly version: string;
  readonly host: string;
  readonly pid: number;
  readonly since: string;
  readonly mode: string;
  readonly behind: number;
  readonly lost: number;
}

export type Beat = EngineBeat | HistoryBeat;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (o: Json, k: string) => (typeof o[k] === "string" ? (o[k] as string) : null);
const num = (o: Json, k: string) =>
  typeof o[k] === "number" && Number.isFinite(o[k]) ? (o[k] as number) : null;

/** A heartbeat from the bucket's text; null for anything else. */
export function parseBeat(text: string): Beat | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(v)) return null;
  const id = str(v, "id");
  const version = str(v, "version");
  const host = str(v, "host");
  const since = str(v, "since");
  const pid = num(v, "pid");
  if (id === null || version === null || host === null || since === null || pid === null) return null;
  const common = { id, version, host, pid, since };
  if (v.role === "history") {
    const mode = str(v, "mode");
    const behind = num(v, "behind");
    const lost = num(v, "lost");
    if (mode === null || behind === null || lost === null) return null;
    return { role: "history", ...common, mode, behind, lost };
  }
  if (v.role !== "engine" || !isObject(v.engine)) return null;
  const nats = str(v, "nats");
  const workflows = num(v, "workflows");
  const phases = num(v, "phases");
  const inFlight = num(v.engine, "inFlight");
  const oldestMs = num(v.engine, "oldestMs");
  const stuck = v.engine.stuck;
  if (nats === null || workflows === null || phases === null || inFlight === null || oldestMs === null)
    return null;
  if (typeof stuck !== "boolean") return null;
  return { role: "engine", ...common, nats, workflows, phases, engine: { inFlight, oldestMs, stuck } };
}

/** What one engine answered to a reload request. */
export interface EngineAnswer {
  readonly instance: string;
  readonly changed: readonly string[];
  readonly problems: readonly string[];
  /** Why it could not reload; "" when it did (or refused the set, see `problems`). */
  readonly error: string;
}

export interface ReloadAnswers {
  /** Every workflow that changed in some engine. */
  readonly changed: readonly string[];
  /** Every problem an engine reported, and the engines that did not answer. */
  readonly problems: readonly { readonly message: string }[];
  readonly engines: readonly EngineAnswer[];
}

/** The answers to a reload request; `expected` engines were known to run when it was sent. */
export function reloadAnswers(
  replies: readonly (ReloadReply | { readonly error: string })[],
  expected: number,
): ReloadAnswers {
  const engines = replies.map((r, i): EngineAnswer => {
    if ("error" in r) return { instance: `answer ${i + 1}`, changed: [], problems: [], error: r.error };
    return {
      instance: r.instance,
      changed: [...r.changed],
      problems: r.problems.map(formatProblem),
      error: "",
    };
  });
  const changed = [...new Set(engines.flatMap((e) => e.changed))];
  const problems = [...new Set(engines.flatMap((e) => [...e.problems, ...(e.error ? [e.error] : [])]))].map(
    (message) => ({ message }),
  );
  if (engines.length < expected)
    problems.push({
      message: `${expected - engines.length} of ${expected} engines did not answer within 10 s`,
    });
  if (expected === 0 && engines.length === 0)
    problems.push({ message: "no engine answered: none is running" });
  return { changed, problems, engines };
}
