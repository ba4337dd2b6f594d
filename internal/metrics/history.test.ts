import { describe, expect, it } from "vitest";
import { renderHistoryMetrics } from "./history.ts";

describe("the history's metrics", () => {
  it("writes the lag, the mode, a rebuild's progress and the rows written as Prometheus reads them", () => {
    const text = renderHistoryMetrics({
      natsConnected: 1,
      mode: "rebuilding",
      behind: 4000,
      positions: { TASKMASTER_TASKS: 120, TASKMASTER_DONE: 80 },
      written: 12_000,
      lost: 3,
      rebuild: { done: 6000, total: 10_000 },
      backupFailing: 0,
      lastBackupSeconds: 1_700_000_000,
      alertsPending: 2,
      engines: 2,
    });
    expect(text).toContain('taskmaster_history_mode{mode="rebuilding"} 1\n');
    expect(text).toContain('taskmaster_history_mode{mode="ok"} 0\n');
    expect(text).toContain("taskmaster_history_behind_messages 4000\n");
    expect(text).toContain(
      'taskmaster_history_position{stream="TASKMASTER_TASKS"} 120\ntaskmaster_history_position{stream="TASKMASTER_DONE"} 80\n',
    );
    expect(text).toContain(
      "# TYPE taskmaster_history_rows_written_total counter\ntaskmaster_history_rows_written_total 12000\n",
    );
    expect(text).toContain("taskmaster_history_rebuild_done_messages 6000\n");
    expect(text).toContain("taskmaster_history_rebuild_total_messages 10000\n");
    expect(text).toContain("taskmaster_history_lost_messages 3\n");
    expect(text).toContain("taskmaster_engines 2\n");
    for (const line of text.split("\n").filter((l) => l !== "" && !l.startsWith("#")))
      expect(line).toMatch(/^taskmaster_[a-z_]+(\{[a-z]+="[A-Za-z_]+"\})? \d+$/);
  });
});
