/** Prometheus counters and gauges from the service's events. */

export { appendExposition } from "./append.ts";
export { type HistoryGauges, renderHistoryMetrics } from "./history.ts";
export { type ConsumerGauge, collectMetrics, type Gauges, type Metrics } from "./metrics.ts";
