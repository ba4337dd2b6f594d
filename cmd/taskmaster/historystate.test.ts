// The history's status: its own projection and the engines as their heartbeats tell them.
import { describe, expect, it } from "vitest";
import type { HistoryState } from "../../internal/cache/index.ts";
import { type Beat, parseBeat, reloadAnswers } from "./beats.ts";
import { historyStateView } from "./historystate.ts";

const follower = (over: Partial<HistoryState> = {}): HistoryState => ({
  mode: "ok",
  reason: "",
  since: "2024-01-15T10:00:00.000Z",
  path: "/data/history.db",
  positions: { TASKMASTER_TASKS: 12 },
  behind: 0,
  lost: 0,
  written: 40,
  ...over,
});

const engineBeat = (id: string, inFlight: number, oldestMs: number, stuck = false) =>
  JSON.stringify({
    id,
    role: "engine",
    version: "1.2.0",
    host: "sched-1",
    pid: 41,
    since: "2024-01-15T09:00:00.000Z",
    nats: "connected",
    workflows: 3,
    phases: 9,
    engine: { inFlight, oldestMs, stuck },
  });

describe("heartbeats as the history reads them", () => {
  it("reads engines' and histories' beats and leaves out anything else", () => {
    expect(parseBeat(engineBeat("e1", 2, 30))).toMatchObject({
      role: "engine",
      id: "e1",
      engine: { inFlight: 2, oldestMs: 30, stuck: false },
    });
    const history = { id: "h1", role: "history", version: "1", host: "h", pid: 2, since: "x" };
    expect(parseBeat(JSON.stringify({ ...history, mode: "ok", behind: 3, lost: 0 }))).toMatchObject({
      role: "history",
      behind: 3,
    });
    expect(parseBeat(JSON.stringify({ ...history, mode: "ok" }))).toBeNull();
    expect(parseBeat("not json")).toBeNull();
    expect(parseBeat(JSON.stringify({ ...JSON.parse(engineBeat("e2", 1, 1)), engine: "busy" }))).toBeNull();
  });

  it("shows each engine and sums their work; ready once the follower has its file, whatever the engines do", () => {
    const beats = [engineBeat("e1", 2, 300), engineBeat("e2", 5, 100, true)].map(parseBeat) as Beat[];
    const view = historyStateView({
      nats: "connected",
      workflows: 3,
      phases: 9,
      startedAt: new Date("2024-01-15T10:00:00Z"),
      follower: follower({ mode: "rebuilding", behind: 900, rebuild: { done: 100, total: 1000 } }),
      beats,
    });
    expect(view.ready).toBe(true);
    expect(view.engines?.map((e) => `${e.id} ${e.inFlight} ${e.stuck}`)).toEqual(["e1 2 false", "e2 5 true"]);
    expect(view.engine).toEqual({ inFlight: 7, publishing: 0, oldestMs: 300, stuck: true });
    expect(view.cache).toEqual({ mode: "rebuilding", reason: "100 of 1000 messages", pending: 900 });
    expect(view.history).toMatchObject({
      mode: "rebuilding",
      behind: 900,
      rebuild: { done: 100, total: 1000 },
    });
    const starting = historyStateView({
      nats: "connected",
      workflows: 0,
      phases: 0,
      startedAt: new Date(),
      follower: follower({ mode: "starting" }),
      beats: [],
    });
    expect(starting.ready).toBe(false);
  });
});

describe("the engines' answers to a reload", () => {
  it("gathers what changed and every problem, and names the engines that did not answer", () => {
    const r = reloadAnswers(
      [
        { instance: "e1", changed: ["etl.toml"], problems: [] },
        {
          instance: "e2",
          changed: [],
          problems: [
            { severity: "error", workflow: "etl.toml", phase: "load", key: "rule", message: "bad cron" },
          ],
        },
        { error: "no workflows loaded yet" },
      ],
      4,
    );
    expect(r.changed).toEqual(["etl.toml"]);
    expect(r.problems.map((p) => p.message)).toEqual([
      "etl.toml: load: rule: bad cron",
      "no workflows loaded yet",
      "1 of 4 engines did not answer within 10 s",
    ]);
    expect(r.engines.map((e) => e.instance)).toEqual(["e1", "e2", "answer 3"]);
    expect(reloadAnswers([], 0).problems).toEqual([{ message: "no engine answered: none is running" }]);
  });
});
