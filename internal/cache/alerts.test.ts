// The day's alerts as the alerts page reads them: an alert counts as resolved once its phase completed for the same
// data time after it was raised.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { alert, done, historyFile, task, tempDir } from "../../test/helpers/records.ts";
import { alertsOn } from "./queries.ts";

const folder = tempDir();
afterAll(() => folder.remove());

describe("alertsOn", () => {
  it("marks an alert resolved when the same phase and data time completed after it, and only then", async () => {
    const store = historyFile(join(folder.dir, "taskmaster.db"));
    // extract:daily for 00:00 alerted at 04:00, then a retry by hand completed at 05:00.
    store.alertRaised(alert({ created: "2024-01-15T04:00:00Z" }));
    const rerun = task({ key: "again", created: "2024-01-15T05:00:00Z" });
    store.taskEmitted(rerun);
    store.taskDone(done(rerun));
    // extract:daily for 01:00 alerted; its only completion came before the alert.
    const early = task({ key: "early", created: "2024-01-15T01:00:00Z", dataTime: "2024-01-15T01:00:00Z" });
    store.taskEmitted(early);
    store.taskDone(done(early));
    store.alertRaised(alert({ dataTime: "2024-01-15T01:00:00Z", created: "2024-01-15T06:00:00Z" }));
    const db = store.db;
    const rows = alertsOn(db, "2024-01-15");
    expect(rows.map((r) => [r.dataTime, r.resolved])).toEqual([
      ["2024-01-15T01:00:00.000Z", false],
      ["2024-01-15T00:00:00.000Z", true],
    ]);
    store.close();
  });
});
