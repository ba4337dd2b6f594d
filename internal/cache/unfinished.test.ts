import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { alert, done, type HistoryFile, historyFile, task, tempDir } from "../../test/helpers/records.ts";
import { unfinishedBetween } from "./queries.ts";

let store: HistoryFile | undefined;
let remove: (() => void) | undefined;
afterEach(async () => {
  store?.close();
  remove?.();
});

describe("unfinishedBetween (the incomplete alert's query)", () => {
  it("finds tasks emitted before the cutoff with no done and no incomplete alert yet, and nothing else", async () => {
    const dir = tempDir();
    remove = dir.remove;
    const history = historyFile(join(dir.dir, "taskmaster.db"));
    store = history;
    const now = Date.parse("2026-11-23T12:00:00Z");
    const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
    const overdue = task({ key: "overdue", id: "o", created: at(241) });
    const young = task({ key: "young", id: "y", created: at(239) });
    const finished = task({ key: "finished", id: "f", created: at(300) });
    const alerted = task({ key: "alerted", id: "a", created: at(300) });
    const failedCopy = task({ key: "failed", id: "x", kind: "failed", created: at(300) });
    for (const t of [overdue, young, finished, alerted, failedCopy]) history.taskEmitted(t);
    history.taskDone(done(finished));
    history.alertRaised(
      alert({
        kind: "incomplete",
        taskId: "a",
        taskType: alerted.type,
        job: alerted.job,
        info: alerted.info,
      }),
    );
    const found = unfinishedBetween(history.db, at(24 * 60), at(240));
    expect(found.map((r) => r.key)).toEqual(["overdue"]);
  });
});
