/**
 * Test fixtures for the HTTP app (only tests import this file): a history bound to a real history file, and an app
 * with tokens, a fixed clock and a ready service state, for `app.request()`.
 */
import { join } from "node:path";
import { readsThrough } from "../internal/cache/index.ts";
import { done, type HistoryFile, historyFile, task, tempDir } from "../test/helpers/records.ts";
import { type AppDeps, createApp } from "./app.ts";
import { type History, HistoryUnavailable } from "./history.ts";

/** Every read of the history on the file's connection; `over` replaces some. */
export function historyOf(store: HistoryFile, over: Partial<History> = {}): History {
  const read = <T>(query: (db: HistoryFile["db"]) => T): T => {
    if (!store.db.open) throw new HistoryUnavailable("closed");
    return query(store.db);
  };
  return { ...readsThrough(read), ...over };
}

/** The app as the service builds it: read token `r-token`, admin token `a-token`, now 2024-01-15T12:00Z. */
export function testApp(history: History, over: Partial<AppDeps> = {}) {
  return createApp({
    tokens: { read: "r-token", admin: "a-token" },
    version: "0.1.0",
    state: () => ({
      nats: "connected",
      workflows: 2,
      phases: 5,
      ready: true,
      startedAt: new Date("2024-01-15T00:00:00Z"),
      cache: { mode: "ok", reason: "", pending: 0 },
      engine: { inFlight: 0, publishing: 0, oldestMs: 0, stuck: false },
    }),
    history,
    reload: async () => ({ changed: ["a.toml"], problems: [] }),
    now: () => new Date("2024-01-15T12:00:00Z"),
    ...over,
  });
}

/**
 * A history file holding one run of 2024-01-15: `k1` (extract:daily, created 03:04:05, complete) and `k2` (load,
 * created 04:00, running, with `<script>` in its info). Close it after the tests.
 */
export function oneRunStore(): { store: HistoryFile; close: () => void } {
  const dir = tempDir();
  const store = historyFile(join(dir.dir, "taskmaster.db"));
  const first = task({ key: "k1", id: "run-1", created: "2024-01-15T03:04:05Z" });
  const second = task({
    key: "k2",
    id: "run-1",
    type: "load",
    info: "?x=<script>",
    created: "2024-01-15T04:00:00Z",
  });
  store.taskEmitted(first);
  store.taskEmitted(second);
  store.taskDone(done(first));
  return {
    store,
    close: () => {
      store.close();
      dir.remove();
    },
  };
}
