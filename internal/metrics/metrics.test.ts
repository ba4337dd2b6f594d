import { describe, expect, it } from "vitest";
import { EngineEvents } from "../engine/index.ts";
import type { Emission } from "../plan/index.ts";
import { collectMetrics } from "./metrics.ts";

const emission = (topic: string): Emission => ({
  kind: "child",
  topic,
  delayMs: 0,
  task: { type: topic, info: "" },
  dedupeKey: `k-${topic}`,
});

describe("metrics", () => {
  it("counts the events by their labels and renders Prometheus text", () => {
    const events = new EngineEvents();
    const m = collectMetrics(events);
    const publish = (topic: string, duplicate = false) =>
      events.emit({
        type: "taskPublished",
        emission: emission(topic),
        subject: topic,
        msgId: "x",
        seq: 1,
        duplicate,
      });
    publish("load");
    publish("load");
    publish("load", true); // stored before: not counted again
    publish('we"ird');
    events.emit({
      type: "taskDone",
      task: { type: "load", info: "", result: "error" },
      redelivered: false,
    });
    events.emit({
      type: "taskDone",
      task: { type: "load", info: "", result: "complete" },
      redelivered: false,
    });
    events.emit({
      type: "taskDone",
      task: { type: "load", info: "", result: "error" },
      redelivered: false,
    });
    const retry = {
      type: "retryScheduled",
      task: { type: "load", info: "" },
      dueAt: new Date(0),
      delayMs: 1,
    } as const;
    events.emit(retry);
    events.emit(retry);
    events.emit({ ...retry, task: { type: "sort", info: "" } });
    const text = m.render({ natsConnected: 1, workflows: 2, phases: 7 });
    expect(text).toContain('taskmaster_tasks_published_total{topic="load",kind="child"} 2');
    expect(text).toContain('taskmaster_tasks_published_total{topic="we\\"ird",kind="child"} 1');
    expect(text).toContain('taskmaster_tasks_done_total{topic="load",result="error"} 2');
    expect(text).toContain('taskmaster_tasks_done_total{topic="load",result="complete"} 1');
    expect(text).toContain(
      'taskmaster_retries_scheduled_total{topic="load"} 2\ntaskmaster_retries_scheduled_total{topic="sort"} 1',
    );
    expect(text).toContain("# TYPE taskmaster_nats_connected gauge\ntaskmaster_nats_connected 1");
    m.stop();
    publish("load");
    expect(m.render({ natsConnected: 0, workflows: 0, phases: 0 })).toContain(
      'taskmaster_tasks_published_total{topic="load",kind="child"} 2',
    );
  });

  it("measures parent done → first child, and renders the consumers' lag and the backup state", () => {
    const events = new EngineEvents();
    let now = 1000;
    const m = collectMetrics(events, () => now);
    const complete = { type: "extract", info: "", id: "run-1", result: "complete" as const };
    events.emit({ type: "taskDone", task: complete, redelivered: false });
    now += 30; // 30 ms later its first child is stored, then a second one (not measured again)
    const child = { ...emission("load"), task: { type: "load", info: "", id: "run-1" } };
    events.emit({
      type: "taskPublished",
      emission: child,
      subject: "load",
      msgId: "a",
      seq: 2,
      duplicate: false,
    });
    events.emit({
      type: "taskPublished",
      emission: child,
      subject: "load",
      msgId: "b",
      seq: 3,
      duplicate: false,
    });
    const text = m.render({
      natsConnected: 1,
      workflows: 1,
      phases: 2,
      consumers: [{ stream: "TASKMASTER_DONE", consumer: "taskmaster-done", pending: 42, ackPending: 3 }],
      backupFailing: 1,
      lastBackupSeconds: 1700000000,
    });
    expect(text).toContain('taskmaster_done_to_child_seconds_bucket{le="0.025"} 0');
    expect(text).toContain('taskmaster_done_to_child_seconds_bucket{le="0.05"} 1');
    expect(text).toContain("taskmaster_done_to_child_seconds_count 1");
    expect(text).toContain(
      'taskmaster_consumer_pending_messages{stream="TASKMASTER_DONE",consumer="taskmaster-done"} 42',
    );
    expect(text).toContain(
      'taskmaster_consumer_ack_pending_messages{stream="TASKMASTER_DONE",consumer="taskmaster-done"} 3',
    );
    expect(text).toContain("taskmaster_backup_failing 1");
    expect(text).toContain("taskmaster_backup_last_success_timestamp_seconds 1700000000");
  });

  it("renders the engine's messages in flight, the age of the oldest and whether it is stuck", () => {
    const m = collectMetrics(new EngineEvents());
    const base = { natsConnected: 1, workflows: 1, phases: 2 };
    const idle = m.render(base);
    expect(idle).toContain("taskmaster_engine_oldest_in_flight_seconds 0");
    expect(idle).toContain("taskmaster_engine_stuck 0");
    const text = m.render({
      ...base,
      engine: { inFlight: 260, publishing: 4, oldestSeconds: 301.5, stuck: 1 },
    });
    expect(text).toContain(
      "# TYPE taskmaster_engine_in_flight_messages gauge\ntaskmaster_engine_in_flight_messages 260",
    );
    expect(text).toContain("taskmaster_engine_publishes_in_flight 4");
    expect(text).toContain("taskmaster_engine_oldest_in_flight_seconds 301.5");
    expect(text).toContain("taskmaster_engine_stuck 1");
  });
});

describe("the engine role's metrics", () => {
  it("leave out the cache's and the backups' gauges where there are none", () => {
    const m = collectMetrics(new EngineEvents());
    const text = m.render({ natsConnected: 1, workflows: 1, phases: 2 });
    expect(text).toContain("taskmaster_nats_connected 1");
    expect(text).not.toContain("taskmaster_cache_");
    expect(text).not.toContain("taskmaster_backup_");
    m.stop();
  });
});
