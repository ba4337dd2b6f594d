// The dashboard's reads on the history: a 503 that says why in each state, reads on the follower's connection when
// it is following, and a file found corrupt on read handed back to the follower to move aside and rebuild.
import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { HistoryUnavailable } from "../../handler/index.ts";
import { type HistoryState, openDatabase } from "../../internal/cache/index.ts";
import { tempDir } from "../../test/helpers/records.ts";
import { followerHistory, unavailableReason } from "./historyread.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const clean of cleanups.splice(0)) clean();
});

const state = (over: Partial<HistoryState> = {}): HistoryState => ({
  mode: "ok",
  reason: "",
  since: "2024-01-15T00:00:00Z",
  path: "/var/lib/taskmaster/history.db",
  positions: {},
  behind: 0,
  lost: 0,
  written: 0,
  ...over,
});

const unavailable = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    if (err instanceof HistoryUnavailable) return err.message;
    throw err;
  }
  throw new Error("expected HistoryUnavailable");
};

describe("why the history cannot be read", () => {
  it("says how far a rebuild is, why it is degraded, and nothing when it follows", () => {
    expect(
      unavailableReason(state({ mode: "rebuilding", rebuild: { done: 1200, total: 50_000 } }), true),
    ).toBe("the history is rebuilding from the streams: 1200 of 50000 messages");
    expect(unavailableReason(state({ mode: "degraded", reason: "disk full (SQLITE_FULL)" }), false)).toBe(
      "the history cannot be written: disk full (SQLITE_FULL); retrying",
    );
    expect(unavailableReason(state({ mode: "starting" }), false)).toBe(
      "the history is starting: opening /var/lib/taskmaster/history.db",
    );
    expect(unavailableReason(state(), false)).toBe("the history is not open yet");
    expect(unavailableReason(state(), true)).toBe("");
  });

  it("answers reads with the reason while rebuilding, and reads the file once following", () => {
    const { dir, remove } = tempDir();
    cleanups.push(remove);
    const db = openDatabase(join(dir, "history.db"));
    cleanups.push(() => db.close());
    let now = state({ mode: "rebuilding", rebuild: { done: 3, total: 9 } });
    const history = followerHistory(
      { database: () => db, state: () => now, reopen: async () => {} },
      () => undefined,
    );
    expect(unavailable(() => history.tasksOn("2024-01-15", {}))).toBe(
      "the history is rebuilding from the streams: 3 of 9 messages",
    );
    now = state();
    expect(history.tasksOn("2024-01-15", {})).toEqual({ total: 0, rows: [] });
  });

  it("hands a file found corrupt on read to the follower once, and answers unavailable", async () => {
    const { dir, remove } = tempDir();
    cleanups.push(remove);
    const path = join(dir, "history.db");
    const db = openDatabase(path);
    const insert = db.prepare(
      "INSERT INTO tasks (key, type, kind, info, created) VALUES (?, 't', 'cron', ?, '2024-01-15T00:00:00Z')",
    );
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(`k${i}`, "x".repeat(300));
    })();
    db.close();
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.alloc(200_000, 0x41), 0, 200_000, 40_960);
    closeSync(fd);
    const reader = new Database(path, { readonly: true });
    cleanups.push(() => reader.close());
    let reopened = 0;
    const reported: string[] = [];
    const history = followerHistory(
      {
        database: () => reader,
        state: () => state(),
        reopen: async () => {
          reopened++;
        },
      },
      (error) => reported.push(error.message),
    );
    const read = () => history.tasksOn("2024-01-15", { pageSize: 5000 });
    expect(unavailable(read)).toMatch(/^the history file is corrupt \(SQLITE_(CORRUPT|NOTADB)/);
    expect(unavailable(read)).toMatch(/being moved aside and rebuilt/);
    await new Promise((r) => setImmediate(r));
    expect(reopened).toBe(1);
    expect(reported).toHaveLength(2);
  });
});
