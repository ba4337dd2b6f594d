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
    events.emit({ type: "taskDone", task: { type: "load", info: "", result: "error" }, redelivered: false });
    const text = m.render({ natsConnected: 1, cacheDegraded: 0, cachePending: 3, workflows: 2, phases: 7 });
    expect(text).toContain('taskmaster_tasks_published_total{topic="load",kind="child"} 2');
    expect(text).toContain('taskmaster_tasks_published_total{topic="we\\"ird",kind="child"} 1');
    expect(text).toContain('taskmaster_tasks_done_total{topic="load",result="error"} 1');
    expect(text).toContain("# TYPE taskmaster_nats_connected gauge\ntaskmaster_nats_connected 1");
    expect(text).toContain("taskmaster_cache_pending_records 3");
    m.stop();
    publish("load");
    expect(
      m.render({ natsConnected: 0, cacheDegraded: 0, cachePending: 0, workflows: 0, phases: 0 }),
    ).toContain('taskmaster_tasks_published_total{topic="load",kind="child"} 2');
  });
});
