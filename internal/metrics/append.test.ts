import { describe, expect, it } from "vitest";
import { appendExposition } from "./append.ts";

const engine = [
  "# HELP taskmaster_nats_connected 1 while connected to NATS.",
  "# TYPE taskmaster_nats_connected gauge",
  "taskmaster_nats_connected 1",
  "",
].join("\n");

describe("appendExposition", () => {
  it("appends the families the first does not have, samples included", () => {
    const history = [
      "# HELP taskmaster_nats_connected 1 while connected to NATS.",
      "# TYPE taskmaster_nats_connected gauge",
      "taskmaster_nats_connected 0",
      "# HELP taskmaster_history_rows_total Rows written.",
      "# TYPE taskmaster_history_rows_total counter",
      'taskmaster_history_rows_total{table="tasks"} 12',
      "",
    ].join("\n");
    expect(appendExposition(engine, history)).toBe(
      [
        ...engine.trimEnd().split("\n"),
        "# HELP taskmaster_history_rows_total Rows written.",
        "# TYPE taskmaster_history_rows_total counter",
        'taskmaster_history_rows_total{table="tasks"} 12',
        "",
      ].join("\n"),
    );
  });

  it("keeps a histogram's samples with their family", () => {
    const history =
      '# TYPE x_seconds histogram\nx_seconds_bucket{le="1"} 2\nx_seconds_sum 1.5\nx_seconds_count 2\n';
    expect(appendExposition(engine, history)).toBe(`${engine}${history}`);
    expect(appendExposition(history, history)).toBe(history);
  });

  it("leaves the first as it is when the second is empty", () => {
    expect(appendExposition(engine, "")).toBe(engine);
  });
});
