import { describe, expect, it } from "vitest";
import {
  decodeEntry,
  encodeEntry,
  JournalDecodeError,
  journalMsgId,
  journalSubject,
  maxRejectedData,
} from "./codec.ts";
import type { JournalFact } from "./types.ts";

const at = new Date("2026-12-07T10:20:30.456Z");
const task = { id: "u1", type: "load", job: "eu", info: "?d=1", meta: "workflow=w.toml", dataTime: "" };

const facts: JournalFact[] = [
  { type: "alert", kind: "retries-exhausted", task, message: "load failed after 2 retries" },
  {
    type: "file",
    path: "/data/in/a.csv",
    size: 12,
    modified: "2026-12-07T10:00:00.000Z",
    checksum: "",
    source: "watch",
    format: "stat",
    status: "triggered",
    dataTime: "",
    tasks: [{ id: "u2", name: "ingest", subject: "ingest", workflow: "f.toml", phase: "ingest" }],
    reason: "",
  },
  { type: "cron", workflow: "w.toml", phase: "tick", slot: "2026-12-07T10:00:00.000Z", tasks: 3 },
  { type: "skipped", workflow: "w.toml", phase: "tick", skipped: 4, first: "", last: "" },
  { type: "rejected", subject: "done", reason: "not valid JSON", data: "{nope" },
  {
    type: "reload",
    workflows: 1,
    changed: ["w.toml"],
    phases: [
      {
        workflow: "w.toml",
        phase: "tick",
        topic: "tick",
        job: "",
        dependsOn: "",
        rule: "cron=@hourly",
        template: "",
        retry: 0,
        status: "ok",
        problems: [],
      },
    ],
  },
  { type: "reload-rejected", problems: ["w.toml:3: tick: rule: invalid cron"] },
];

describe("journal codec", () => {
  it.each(facts.map((f) => [f.type, f] as const))(
    "reads back a %s entry as it was written",
    (_type, fact) => {
      expect(decodeEntry(encodeEntry(fact, at))).toEqual({ v: 1, at: "2026-12-07T10:20:30.456Z", ...fact });
    },
  );

  it("keeps only the start of a refused message's text", () => {
    const entry = decodeEntry(
      encodeEntry({ type: "rejected", subject: "done", reason: "too big", data: "x".repeat(200_000) }, at),
    );
    expect(entry.type === "rejected" && entry.data.length).toBe(maxRejectedData);
  });

  it.each([
    ["{", /^not valid JSON/],
    ["[]", /^entry: expected an object/],
    ['{"v":2,"at":"x","type":"cron"}', /^v: expected 1, got 2/],
    ['{"v":1,"at":"x","type":"party"}', /^type: unknown type "party"/],
    [
      '{"v":1,"at":"x","type":"cron","workflow":"w","phase":"p","slot":"s","tasks":-1}',
      /^tasks: expected a whole/,
    ],
    ['{"v":1,"at":"x","type":"alert","kind":"k","message":"m","task":{"id":1}}', /^id: expected a string/],
  ])("refuses %s, naming what is wrong", (text, reason) => {
    expect(() => decodeEntry(text)).toThrow(JournalDecodeError);
    expect(() => decodeEntry(text)).toThrow(reason);
  });

  it("names subjects by type and makes the same message id from the same parts", () => {
    expect(journalSubject("reload-rejected")).toBe("taskmaster.events.reload-rejected");
    expect(journalMsgId("cron", "w.toml", "tick", "2026")).toBe(
      journalMsgId("cron", "w.toml", "tick", "2026"),
    );
    expect(journalMsgId("cron", "w.toml", "tick", "2026")).not.toBe(
      journalMsgId("skipped", "w.toml", "tick", "2026"),
    );
    expect(journalMsgId("file", "x".repeat(100_000)).length).toBeLessThan(50);
  });
});
