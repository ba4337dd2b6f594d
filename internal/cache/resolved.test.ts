import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { done, historyFile, task, tempDir } from "../../test/helpers/records.ts";
import { resolvedSince } from "./queries.ts";

const folder = tempDir();
afterAll(() => folder.remove());

describe("phases resolved since the last digest", () => {
  it("are those that alerted for a data time and completed for it after the alert and the digest", () => {
    const history = historyFile(join(folder.dir, "taskmaster.db"));
    const alert = (type: string, dataTime: string, created: string) =>
      history.alertRaised({
        kind: "retries-exhausted",
        taskId: "",
        taskType: type,
        job: "daily",
        info: "",
        msg: "failed",
        dataTime,
        created,
      });
    alert("extract", "2024-01-15T00:00:00.000Z", "2024-01-15T03:00:00.000Z");
    alert("load", "2024-01-15T00:00:00.000Z", "2024-01-15T03:00:00.000Z");
    alert("report", "2024-01-15T00:00:00.000Z", "2024-01-15T03:00:00.000Z");
    // extract: re-run at 04:00 and complete. load: complete again, but for another hour. report: still failing.
    const rerun = task({
      key: "r1",
      type: "extract",
      created: "2024-01-15T04:00:00Z",
      dataTime: "2024-01-15T00:00:00Z",
    });
    history.taskEmitted(rerun);
    history.taskDone(done(rerun));
    const other = task({
      key: "r2",
      type: "load",
      created: "2024-01-15T04:00:00Z",
      dataTime: "2024-01-15T01:00:00Z",
    });
    history.taskEmitted(other);
    history.taskDone(done(other));
    const failing = task({
      key: "r3",
      type: "report",
      created: "2024-01-15T04:00:00Z",
      dataTime: "2024-01-15T00:00:00Z",
    });
    history.taskEmitted(failing);
    history.taskDone(done(failing, { result: "error" }));

    expect(resolvedSince(history.db, "2024-01-14T00:00:00Z", "2024-01-15T03:30:00Z")).toEqual([
      {
        taskType: "extract",
        job: "daily",
        dataTime: "2024-01-15T00:00:00.000Z",
        done: "2024-01-15T04:00:03.500Z",
      },
    ]);
    // Reported once: a digest after the completion finds nothing new.
    expect(resolvedSince(history.db, "2024-01-14T00:00:00Z", "2024-01-15T05:00:00Z")).toEqual([]);
    history.close();
  });
});
