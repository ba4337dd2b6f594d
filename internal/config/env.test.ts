/** The environment layer: TASKMASTER_<PATH> names from the schema, conversions and unknown names. */
import { describe, expect, it } from "vitest";
import { readEnvLayer } from "./env.ts";

describe("readEnvLayer", () => {
  it("reads TASKMASTER_<PATH> variables into their keys' types", () => {
    const layer = readEnvLayer({
      TASKMASTER_NATS_URL: "nats://a:4222,nats://b:4222",
      TASKMASTER_DONE_TOPIC: "finished",
      TASKMASTER_CACHE_S3_SECRET_KEY: "s3cr3t",
      TASKMASTER_CACHE_S3_FORCE_PATH_STYLE: "1",
      TASKMASTER_STREAMS_MAX_BYTES: "512MB",
      TASKMASTER_STREAMS_REPLICAS: "3",
      TASKMASTER_SLACK_MIN_FREQUENCY: "90s",
      PATH: "/usr/bin",
    });
    expect(layer.problems).toEqual([]);
    expect(Object.fromEntries(layer.assignments.map((a) => [a.key.path, a.value]))).toEqual({
      "nats.url": "nats://a:4222,nats://b:4222",
      done_topic: "finished",
      "cache.s3.secret_key": "s3cr3t",
      "cache.s3.force_path_style": true,
      "streams.max_bytes": 512_000_000,
      "streams.replicas": 3,
      "slack.min_frequency": 90_000,
    });
    expect(layer.assignments.every((a) => a.source === "env")).toBe(true);
  });

  it("warns about an unknown variable, naming the closest known one", () => {
    expect(readEnvLayer({ TASKMASTER_NATS_ULR: "x" }).problems).toEqual([
      {
        severity: "warning",
        key: "TASKMASTER_NATS_ULR",
        source: "env",
        message: 'unknown variable "TASKMASTER_NATS_ULR"; did you mean "TASKMASTER_NATS_URL"?',
      },
    ]);
    expect(readEnvLayer({ TASKMASTER_DONETOPIC: "x" }).problems[0]?.message).toContain(
      'did you mean "TASKMASTER_DONE_TOPIC"?',
    );
  });

  it("leaves TASKMASTER_CONFIG to the caller and treats an empty variable as unset", () => {
    const layer = readEnvLayer({
      TASKMASTER_CONFIG: "x.toml",
      TASKMASTER_NATS_URL: "",
      TASKMASTER_HOST: undefined,
    });
    expect(layer).toEqual({ assignments: [], problems: [] });
  });

  it("reports a bad value as an error on the key path", () => {
    expect(readEnvLayer({ TASKMASTER_REFRESH: "often", TASKMASTER_STREAMS_REPLICAS: "x" }).problems).toEqual([
      {
        severity: "error",
        key: "refresh",
        source: "env",
        message: 'invalid duration "often"; write a Go duration such as 90s, 1h30m or 72h',
      },
      { severity: "error", key: "streams.replicas", source: "env", message: 'expected an integer, got "x"' },
    ]);
  });
});
