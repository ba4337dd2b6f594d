/**
 * Counters and gauges for Prometheus, kept from the service's events: tasks published by topic and kind, done
 * messages by topic and result, retries and failures by topic, alerts by kind, files by status, rejected
 * messages, the done-to-child latency, and gauges the service polls (NATS, cache, consumers' lag, backups, the
 * engine's messages in flight and the age of the oldest).
 * `render()` writes the text exposition format.
 */
import type { EngineEvents } from "../engine/index.ts";

type Labels = Record<string, string>;

/**
 * A counter with one or two label names. `add` runs for every task published and done, so it only looks its values
 * up, one map per label (no key joined from them: a new string to hash on every call); the label text (quoting and
 * escaping) is made when Prometheus asks.
 */
class Counter {
  /** Counts by the first label's value, then the second's ("" for a counter with one label). */
  readonly #values = new Map<string, Map<string, number>>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly [string] | readonly [string, string],
  ) {}
  add(first: string, second = ""): void {
    let inner = this.#values.get(first);
    if (!inner) {
      inner = new Map();
      this.#values.set(first, inner);
    }
    inner.set(second, (inner.get(second) ?? 0) + 1);
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [first, inner] of this.#values) {
      for (const [second, n] of inner) {
        const values = [first, second];
        const named = Object.fromEntries(this.labelNames.map((name, i) => [name, values[i] ?? ""]));
        lines.push(`${this.name}${labelText(named)} ${n}`);
      }
    }
    return lines;
  }
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`))}"`,
  );
  return parts.length > 0 ? `{${parts.join(",")}}` : "";
}

/**
 * Parent done → first child published, in seconds: children carry their parent's id, so the time a complete done
 * arrived is kept by id (the newest 10 000) until the first child with that id is stored.
 */
class Latency {
  static readonly buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
  readonly #since = new Map<string, number>();
  readonly #counts = Latency.buckets.map(() => 0);
  #sum = 0;
  #count = 0;
  done(id: string, at: number): void {
    this.#since.delete(id);
    this.#since.set(id, at);
    if (this.#since.size > 10_000) {
      const oldest = this.#since.keys().next().value;
      if (oldest !== undefined) this.#since.delete(oldest);
    }
  }
  child(id: string, at: number): void {
    const since = this.#since.get(id);
    if (since === undefined) return;
    this.#since.delete(id);
    const seconds = (at - since) / 1000;
    this.#sum += seconds;
    this.#count++;
    Latency.buckets.forEach((le, i) => {
      if (seconds <= le) this.#counts[i] = (this.#counts[i] ?? 0) + 1;
    });
  }
  render(): string[] {
    const name = "taskmaster_done_to_child_seconds";
    return [
      `# HELP ${name} Time from a parent's done message to its first child stored.`,
      `# TYPE ${name} histogram`,
      ...Latency.buckets.map((le, i) => `${name}_bucket{le="${le}"} ${this.#counts[i] ?? 0}`),
      `${name}_bucket{le="+Inf"} ${this.#count}`,
      `${name}_sum ${this.#sum}`,
      `${name}_count ${this.#count}`,
    ];
  }
}

export interface ConsumerGauge {
  readonly stream: string;
  readonly consumer: string;
  /** Messages not yet delivered to it. */
  readonly pending: number;
  /** Delivered and not yet acknowledged. */
  readonly ackPending: number;
}

export interface Gauges {
  /** 1 while connected to NATS. */
  readonly natsConnected: number;
  readonly workflows: number;
  readonly phases: number;
  /** taskmaster's durable consumers, as last polled (empty before the first poll). */
  readonly consumers?: readonly ConsumerGauge[];
  /** 1 while backups keep failing; the backup gauges are left out where no backups are taken (the engine role). */
  readonly backupFailing?: number;
  /** When the last backup was taken (Unix seconds), 0 for none since start. */
  readonly lastBackupSeconds?: number;
  /** The engine: messages taken and not finished, publishes awaiting acks, the oldest message's age, stuck (1). */
  readonly engine?: {
    readonly inFlight: number;
    readonly publishing: number;
    readonly oldestSeconds: number;
    readonly stuck: number;
  };
}

function labelled(name: string, help: string, values: readonly (readonly [Labels, number])[]): string[] {
  return [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} gauge`,
    ...values.map(([labels, v]) => `${name}${labelText(labels)} ${v}`),
  ];
}

function engineGauges(gauge: (name: string, help: string, value: number) => string[], g: Gauges): string[] {
  const e = g.engine ?? { inFlight: 0, publishing: 0, oldestSeconds: 0, stuck: 0 };
  return [
    ...gauge(
      "taskmaster_engine_in_flight_messages",
      "Messages taken and not finished (worked on, or waiting for a slot).",
      e.inFlight,
    ),
    ...gauge("taskmaster_engine_publishes_in_flight", "Publishes awaiting their acks.", e.publishing),
    ...gauge(
      "taskmaster_engine_oldest_in_flight_seconds",
      "How long the oldest message worked on has been held.",
      e.oldestSeconds,
    ),
    ...gauge("taskmaster_engine_stuck", "1 while that is past engine.stuck_after.", e.stuck),
  ];
}

export interface Metrics {
  render(gauges: Gauges): string;
  stop(): void;
}

export function collectMetrics(events: EngineEvents, clock: () => number = () => performance.now()): Metrics {
  const latency = new Latency();
  const published = new Counter(
    "taskmaster_tasks_published_total",
    "Tasks stored by their stream, by topic and kind.",
    ["topic", "kind"],
  );
  const done = new Counter("taskmaster_tasks_done_total", "Done messages taken, by topic and result.", [
    "topic",
    "result",
  ]);
  const retried = new Counter(
    "taskmaster_retries_scheduled_total",
    "Failed tasks scheduled for a retry, by topic.",
    ["topic"],
  );
  const failed = new Counter("taskmaster_tasks_failed_total", "Tasks whose retries are used up, by topic.", [
    "topic",
  ]);
  const alerts = new Counter("taskmaster_alerts_total", "Alerts raised by the planner, by kind.", ["kind"]);
  const files = new Counter("taskmaster_files_total", "File arrivals, by status.", ["status"]);
  const rejected = new Counter(
    "taskmaster_messages_rejected_total",
    "Messages refused as unusable, by subject.",
    ["subject"],
  );
  const counters = [published, done, retried, failed, alerts, files, rejected];
  const offs = [
    events.on("taskPublished", (e) => {
      if (e.duplicate) return;
      published.add(e.emission.topic, e.emission.kind);
      if (e.emission.kind === "child") latency.child(e.emission.task.id ?? "", clock());
    }),
    events.on("taskDone", (e) => {
      done.add(e.task.type, e.task.result ?? "");
      if (e.task.result === "complete") latency.done(e.task.id ?? "", clock());
    }),
    events.on("retryScheduled", (e) => retried.add(e.task.type)),
    events.on("taskFailed", (e) => failed.add(e.task.type)),
    events.on("alertRaised", (e) => alerts.add(e.alert.kind)),
    events.on("fileArrived", (e) => files.add(e.status)),
    events.on("messageRejected", (e) => rejected.add(e.subject)),
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
        ...gauge("taskmaster_workflows", "Workflows loaded.", g.workflows),
        ...gauge("taskmaster_phases", "Phases loaded.", g.phases),
        ...latency.render(),
        ...labelled(
          "taskmaster_consumer_pending_messages",
          "Messages waiting for a durable consumer (its lag).",
          (g.consumers ?? []).map((c) => [{ stream: c.stream, consumer: c.consumer }, c.pending]),
        ),
        ...labelled(
          "taskmaster_consumer_ack_pending_messages",
          "Messages delivered to a durable consumer and not yet acknowledged.",
          (g.consumers ?? []).map((c) => [{ stream: c.stream, consumer: c.consumer }, c.ackPending]),
        ),
        ...(g.backupFailing === undefined
          ? []
          : [
              ...gauge("taskmaster_backup_failing", "1 while cache backups keep failing.", g.backupFailing),
              ...gauge(
                "taskmaster_backup_last_success_timestamp_seconds",
                "When the last cache backup was taken; 0 for none since start.",
                g.lastBackupSeconds ?? 0,
              ),
            ]),
        ...engineGauges(gauge, g),
        "",
      ].join("\n");
    },
    stop() {
      for (const off of offs) off();
    },
  };
}
