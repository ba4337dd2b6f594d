import { describe, expect, it } from "vitest";
import { parseMeta } from "../task/index.ts";
import type { Snapshot } from "../workflow/index.ts";
import { planCron } from "./cron.ts";
import { row, snapshotOf, testContext } from "./fixture.ts";

function phase(snapshot: Snapshot, key: string) {
  const found = snapshot.phases.find((p) => p.key === key);
  if (!found) throw new Error(`no phase ${key}: ${JSON.stringify(snapshot.problems)}`);
  return found;
}

function oneFile(phaseToml: string): Snapshot {
  return snapshotOf({ "w.toml": `[[phase]]\n${phaseToml}\n` });
}

const at = new Date("2024-01-15T10:00:00Z");

describe("planCron: plain jobs", () => {
  it("renders the template at the fire time plus offset, and writes workflow, cron and job meta", () => {
    const s = oneFile(
      'task = "task1"\nrule = "cron=0 * * * *&offset=-4h&job=t2"\ntemplate = "?date={yyyy}-{mm}-{dd}T{hh}"',
    );
    const plan = planCron(phase(s, "task1:t2"), at, testContext());
    expect(plan.emissions).toEqual([
      {
        kind: "cron",
        topic: "task1",
        delayMs: 0,
        task: {
          type: "task1",
          job: "t2",
          info: "?date=2024-01-15T06",
          created: "2024-01-15T10:20:30Z",
          id: "00000000-0000-4000-8000-000000000001",
          meta: "cron=2024-01-15T06&job=t2&workflow=w.toml",
        },
        phase: { workflow: "w.toml", phase: "task1:t2" },
        dedupeKey: "cron|w.toml|task1:t2|2024-01-15T10:00:00Z",
      },
    ]);
  });

  it("does not truncate the time of a plain job, and leaves {meta:} tokens alone", () => {
    const s = oneFile('task = "t"\nrule = "cron=*/15 * * * *"\ntemplate = "{HH}:{min} {meta:x}"');
    const plan = planCron(phase(s, "t"), new Date("2024-01-15T10:45:00Z"), testContext());
    expect(plan.emissions[0]?.task.info).toBe("10:45 {meta:x}");
  });

  it("renders in the phase's zone (tz=), where flowlord used the process's local time", () => {
    const s = oneFile(
      'task = "t"\nrule = "cron=0 6 * * *&tz=America/New_York"\ntemplate = "{yyyy}-{mm}-{dd}T{hh}"',
    );
    const plan = planCron(phase(s, "t"), new Date("2024-01-15T11:00:00Z"), testContext());
    expect(plan.emissions[0]?.task.info).toBe("2024-01-15T06");
    expect(parseMeta(plan.emissions[0]?.task.meta).get("cron")).toBe("2024-01-15T06");
  });

  it("uses a CRON_TZ= prefix as the zone", () => {
    const s = oneFile('task = "t"\nrule = "cron=CRON_TZ=Asia/Kolkata 0 6 * * *"\ntemplate = "{hh}:{min}"');
    expect(
      planCron(phase(s, "t"), new Date("2024-01-15T00:30:00Z"), testContext()).emissions[0]?.task.info,
    ).toBe("06:00");
  });
});

describe("planCron: batches", () => {
  const infos = (toml: string, when = at, metaFiles = {}) =>
    planCron(phase(oneFile(toml), "t"), when, testContext({ metaFiles })).emissions.map((e) => e.task.info);

  it("steps a negative range backwards, both ends included", () => {
    expect(infos('task = "t"\nrule = "cron=@daily&for=-48h"\ntemplate = "{yyyy}-{mm}-{dd}"')).toEqual([
      "2024-01-15",
      "2024-01-14",
      "2024-01-13",
    ]);
  });

  it("counts as flowlord: -168h by day gives 8, -48h by hour gives 49", () => {
    expect(infos('task = "t"\nrule = "cron=@daily&for=-168h&by=day"\ntemplate = "{dd}"')).toHaveLength(8);
    expect(infos('task = "t"\nrule = "cron=@daily&for=-48h&by=hour"\ntemplate = "{hh}"')).toHaveLength(49);
  });

  it("truncates the batch start to the hour", () => {
    const when = new Date("2024-01-15T10:45:00Z");
    expect(infos('task = "t"\nrule = "cron=@daily&for=2h&by=hour"\ntemplate = "{hh}:{min}"', when)).toEqual([
      "10:00",
      "11:00",
      "12:00",
    ]);
  });

  it("makes one task per meta row and time, and reverses the whole list for a negative range", () => {
    const s = oneFile(
      'task = "t"\nrule = "cron=@daily&for=-24h&meta=name:a,b|value:1,2"\ntemplate = "{dd}/{meta:name}={meta:value}"',
    );
    const plan = planCron(phase(s, "t"), at, testContext());
    expect(plan.emissions.map((e) => [e.kind, e.task.info, e.task.meta])).toEqual([
      ["batch", "15/b=2", "cron=2024-01-15T10&name=b&value=2&workflow=w.toml"],
      ["batch", "15/a=1", "cron=2024-01-15T10&name=a&value=1&workflow=w.toml"],
      ["batch", "14/b=2", "cron=2024-01-14T10&name=b&value=2&workflow=w.toml"],
      ["batch", "14/a=1", "cron=2024-01-14T10&name=a&value=1&workflow=w.toml"],
    ]);
    expect(new Set(plan.emissions.map((e) => e.dedupeKey)).size).toBe(4);
  });

  it("reads rows from the meta-file, adding only the keys the template uses", () => {
    const rows = [row({ id: "1", name: "Acme", unused: "x" }), row({ id: "2", name: "Globex", unused: "y" })];
    const s = oneFile(
      'task = "t"\nrule = "cron=@weekly&meta-file=customers.csv"\ntemplate = "?id={meta:id}&n={meta:name}"',
    );
    const plan = planCron(phase(s, "t"), at, testContext({ metaFiles: { "customers.csv": rows } }));
    expect(plan.emissions.map((e) => [e.task.info, e.task.meta])).toEqual([
      ["?id=1&n=Acme", "cron=2024-01-15T10&id=1&name=Acme&workflow=w.toml"],
      ["?id=2&n=Globex", "cron=2024-01-15T10&id=2&name=Globex&workflow=w.toml"],
    ]);
  });

  it("emits nothing for an empty meta-file and a single time", () => {
    expect(
      infos('task = "t"\nrule = "cron=@weekly&meta-file=empty.csv"\ntemplate = "x"', at, { "empty.csv": [] }),
    ).toEqual([]);
  });

  it("turns an unreadable meta-file into an alert instead of tasks", () => {
    const s = oneFile('task = "t"\nrule = "cron=@weekly&meta-file=missing.csv"\ntemplate = "x"');
    const plan = planCron(phase(s, "t"), at, testContext());
    expect(plan.emissions).toEqual([]);
    expect(plan.alerts.map((a) => [a.kind, a.message])).toEqual([
      ["batch-failed", "batch for w.toml: t at 2024-01-15T10 failed: no files found for missing.csv"],
    ]);
  });

  it("steps months from the start day, clamped to each month's end", () => {
    const when = new Date("2024-01-31T00:00:00Z");
    expect(
      infos('task = "t"\nrule = "cron=@daily&for=2200h&by=month"\ntemplate = "{mm}-{dd}"', when),
    ).toEqual(["01-31", "02-29", "03-31", "04-30"]);
  });

  it("steps weeks", () => {
    expect(infos('task = "t"\nrule = "cron=@daily&for=-336h&by=week"\ntemplate = "{mm}-{dd}"')).toEqual([
      "01-15",
      "01-08",
      "01-01",
    ]);
  });
});
