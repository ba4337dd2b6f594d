/** Prometheus counters and gauges from the service's events. */
export { collectMetrics, type Gauges, type Metrics } from "./metrics.ts";
