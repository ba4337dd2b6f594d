/**
 * Counters and gauges for Prometheus, kept from the service's events: tasks published by topic and kind, done
 * messages by topic and result, retries and failures by topic, alerts by kind, files by status, rejected
 * messages, and the done-to-child latency. `render()` writes the text exposition format.
 */
import type { EngineEvents } from "../engine/index.ts";

type Labels = Record<string, string>;

class Counter {
  readonly #values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  add(labels: Labels, n = 1): void {
    const key = labelText(labels);
    this.#values.set(key, (this.#values.get(key) ?? 0) + n);
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [labels, value] of this.#values) lines.push(`${this.name}${labels} ${value}`);
    return lines;
  }
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`))}"`,
  );
  return parts.length > 0 ? `{${parts.join(",")}}` : "";
}

export interface Gauges {
  /** 1 while connected to NATS. */
  readonly natsConnected: number;
  /** 1 while the cache is degraded. */
  readonly cacheDegraded: number;
  readonly cachePending: number;
  readonly workflows: number;
  readonly phases: number;
}

export interface Metrics {
  render(gauges: Gauges): string;
  stop(): void;
}

export function collectMetrics(events: EngineEvents): Metrics {
  const published = new Counter(
    "taskmaster_tasks_published_total",
    "Tasks stored by their stream, by topic and kind.",
  );
  const done = new Counter("taskmaster_tasks_done_total", "Done messages taken, by topic and result.");
  const retried = new Counter(
    "taskmaster_retries_scheduled_total",
    "Failed tasks scheduled for a retry, by topic.",
  );
  const failed = new Counter("taskmaster_tasks_failed_total", "Tasks whose retries are used up, by topic.");
  const alerts = new Counter("taskmaster_alerts_total", "Alerts raised by the planner, by kind.");
  const files = new Counter("taskmaster_files_total", "File arrivals, by status.");
  const rejected = new Counter(
    "taskmaster_messages_rejected_total",
    "Messages refused as unusable, by subject.",
  );
  const counters = [published, done, retried, failed, alerts, files, rejected];
  const offs = [
    events.on("taskPublished", (e) => {
      if (!e.duplicate) published.add({ topic: e.emission.topic, kind: e.emission.kind });
    }),
    events.on("taskDone", (e) => done.add({ topic: e.task.type, result: e.task.result ?? "" })),
    events.on("retryScheduled", (e) => retried.add({ topic: e.task.type })),
    events.on("taskFailed", (e) => failed.add({ topic: e.task.type })),
    events.on("alertRaised", (e) => alerts.add({ kind: e.alert.kind })),
    events.on("fileArrived", (e) => files.add({ status: e.status })),
    events.on("messageRejected", (e) => rejected.add({ subject: e.subject })),
  ];
  return {
    render(g) {
      const gauge = (name: string, help: string, value: number) => [
        `# HELP ${name} ${help}`,
        `# TYPE ${name} gauge`,
        `${name} ${value}`,
      ];
      return [
        ...counters.flatMap((c) => c.render()),
        ...gauge("taskmaster_nats_connected", "1 while connected to NATS.", g.natsConnected),
        ...gauge(
          "taskmaster_cache_degraded",
          "1 while the history cache cannot be written.",
          g.cacheDegraded,
        ),
        ...gauge(
          "taskmaster_cache_pending_records",
          "Records waiting to be written to the cache.",
          g.cachePending,
        ),
        ...gauge("taskmaster_workflows", "Workflows loaded.", g.workflows),
        ...gauge("taskmaster_phases", "Phases loaded.", g.phases),
        "",
      ].join("\n");
    },
    stop() {
      for (const off of offs) off();
    },
  };
}
