// The dashboard's history over a cache file that turns out corrupt when read: a 503-worthy error that says so, an
// error event, and the writer asked to check and move the file aside, instead of a 500 or a crash.
import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { HistoryUnavailable } from "../../handler/index.ts";
import { openDatabase } from "../../internal/cache/index.ts";
import { EngineEvents } from "../../internal/engine/index.ts";
import { tempDir } from "../../test/helpers/records.ts";
import { cacheHistory, type Service } from "./http.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const clean of cleanups.splice(0)) clean();
});

describe("reading a corrupt history cache", () => {
  it("answers unavailable with the reason, reports it, and asks the writer to reopen (check and move aside)", async () => {
    const { dir, remove } = tempDir();
    cleanups.push(remove);
    const path = join(dir, "taskmaster.db");
    const db = openDatabase(path);
    const insert = db.prepare(
      "INSERT INTO tasks (key, type, kind, info, created) VALUES (?, 't', 'cron', ?, '2024-01-15T00:00:00Z')",
    );
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(`k${i}`, "x".repeat(300));
    })();
    db.close();
    // Pages past the schema's are overwritten: the file opens, reading the tasks fails.
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.alloc(200_000, 0x41), 0, 200_000, 40_960);
    closeSync(fd);

    const reader = new Database(path, { readonly: true });
    cleanups.push(() => reader.close());
    let reopened = 0;
    const events = new EngineEvents();
    const errors: string[] = [];
    events.on("error", (e) => errors.push(`${e.where}: ${e.error.message}`));
    const service = {
      events,
      cache: {
        store: {
          database: () => reader,
          reopen: async () => {
            reopened++;
          },
        },
        state: () => ({ mode: "ok", reason: "" }),
      },
    } as unknown as Service;

    const history = cacheHistory(service);
    let thrown: unknown;
    try {
      history.tasksOn("2024-01-15", { pageSize: 5000 });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(HistoryUnavailable);
    expect((thrown as Error).message).toMatch(/history cache file is corrupt \(SQLITE_(CORRUPT|NOTADB)/);
    expect(errors[0]).toMatch(/^history read: /);
    await new Promise((r) => setImmediate(r));
    expect(reopened).toBe(1);
  });
});
