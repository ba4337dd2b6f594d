import { afterEach, describe, expect, it } from "vitest";
import { type ManualClock, manualClock } from "../clock/index.ts";
import type { Task } from "../task/index.ts";
import type { SlackMessage } from "./blocks.ts";
import type { AlertItem, Resolved } from "./digest.ts";
import type { DigestCursor } from "./digests.ts";
import { type Digests, startDigests } from "./digests.ts";

const minute = 60_000;
let digests: Digests | undefined;
afterEach(async () => {
  await digests?.stop();
  digests = undefined;
});

const noon = Date.UTC(2026, 10, 23, 12, 0, 0);

const exhausted = (type: string, hour: string, at: Date): AlertItem => ({
  kind: "retries-exhausted",
  taskType: type,
  job: "",
  taskId: `${type}-${hour}`,
  dataTime: new Date(`2026-11-23T${hour}:00:00Z`),
  message: `${type} failed after 2 retries`,
  at,
});

function memoryCursor(value: string | null = null): DigestCursor & { value: string | null } {
  const c = {
    value,
    get: async () => c.value,
    set: async (iso: string) => {
      c.value = iso;
    },
  };
  return c;
}

async function setup(
  options: {
    table?: AlertItem[];
    unfinished?: Task[];
    resolved?: Resolved[];
    cursor?: DigestCursor;
    clock?: ManualClock;
  } = {},
) {
  const sent: SlackMessage[] = [];
  const raised: { alert: AlertItem; task: Task }[] = [];
  const asked: [string, string][] = [];
  const table = options.table ?? [];
  const clock = options.clock ?? manualClock(noon);
  digests = await startDigests({
    recorded: {
      since: (iso) => table.filter((a) => a.at.toISOString() > iso),
      unfinished: () => options.unfinished ?? [],
      resolved: (alertedAfter, since) => {
        asked.push([alertedAfter, since]);
        return options.resolved ?? [];
      },
    },
    raise: async (alert, task) => {
      raised.push({ alert, task });
    },
    cursor: options.cursor,
    send: (m) => sent.push(m),
    prefix: "prod",
    dashboardUrl: "http://tm:8080/web",
    minFrequencyMs: 5 * minute,
    maxFrequencyMs: 80 * minute,
    taskTtlMs: 4 * 60 * minute,
    clock,
    onError: (where, error) => {
      throw new Error(`${where}: ${error.message}`);
    },
  });
  return { sent, raised, asked, clock, digests };
}

describe("digests of recorded alerts", () => {
  it("sends what was recorded since the cursor, once, and then only what is added", async () => {
    const cursor = memoryCursor(new Date(noon - 30 * minute).toISOString());
    const before = exhausted("load", "01", new Date(noon - 40 * minute)); // in the last digest
    const after = exhausted("load", "02", new Date(noon - 10 * minute)); // not yet sent
    const { sent, digests: d } = await setup({ table: [before, after], cursor });
    d.add([after], true); // the same alert handed over again by a catch-up: counted once
    await d.check();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toContain("1 alert in 1 phase");
    expect(sent[0]?.text).toContain("2026/11/23T02");
    expect(cursor.value).toBe(new Date(noon).toISOString());
    d.add([exhausted("sum", "03", new Date(noon))], false);
    await d.check();
    expect(sent).toHaveLength(2);
    expect(sent[1]?.text).toContain("sum");
  });

  it("does not send again alerts a replay brings that are older than the cursor", async () => {
    const cursor = memoryCursor(new Date(noon - 30 * minute).toISOString());
    const { sent, digests: d } = await setup({ cursor });
    d.add([exhausted("load", "01", new Date(noon - 3 * 60 * minute))], true);
    await d.check();
    expect(sent).toHaveLength(0);
    d.add([exhausted("load", "04", new Date(noon - 5 * minute))], true);
    await d.check();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toContain("2026/11/23T04");
  });

  it("with no cursor yet, sends what a replay brings of the last digest interval only", async () => {
    const { sent, digests: d } = await setup();
    d.add(
      [
        exhausted("old", "01", new Date(noon - 2 * 80 * minute)),
        exhausted("recent", "02", new Date(noon - 10 * minute)),
      ],
      true,
    );
    await d.check();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toContain("recent");
    expect(sent[0]?.text).not.toContain("old");
  });

  it("sends a task's own alert at once when it is new, and only in the digest when replayed", async () => {
    const { sent, digests: d } = await setup();
    const own = (id: string, at: Date): AlertItem => ({
      kind: "task-alert",
      taskType: "check",
      job: "",
      taskId: id,
      dataTime: null,
      message: `numbers look wrong in ${id}`,
      at,
    });
    d.add([own("live", new Date(noon))], false);
    d.add([own("replayed", new Date(noon - minute))], true);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toContain("numbers look wrong in live");
  });

  it("raises one incomplete alert per unfinished task until it is recorded", async () => {
    const late: Task = { type: "slow", info: "?a=1", id: "s1", created: "2026-11-23T07:00:00Z" };
    const { raised, digests: d } = await setup({ unfinished: [late] });
    await d.check();
    await d.check();
    expect(raised).toHaveLength(1);
    expect(raised[0]?.alert.message).toBe("INCOMPLETE: not finished 4h after it was emitted");
    expect(raised[0]?.task).toBe(late);
  });

  it("reports the phases resolved since the last digest, alone if nothing else happened", async () => {
    const cursor = memoryCursor(new Date(noon - 30 * minute).toISOString());
    const resolved: Resolved[] = [
      { taskType: "load", job: "", dataTime: new Date("2026-11-23T02:00:00Z"), at: new Date(noon - minute) },
    ];
    const { sent, asked, digests: d } = await setup({ cursor, resolved });
    await d.check();
    // Alerts of the day before the last digest, completed since it.
    const lastDigest = new Date(noon - 30 * minute).toISOString();
    expect(asked.at(-1)).toEqual([new Date(noon - 30 * minute - 24 * 60 * minute).toISOString(), lastDigest]);
    expect(sent).toHaveLength(1);
    expect(JSON.stringify(sent[0])).toContain("Resolved since");
    expect(JSON.stringify(sent[0])).toContain("load");
  });
});
