/** The flag layer: every spelling of a key flag, booleans, --set, and errors for what is not understood. */
import { describe, expect, it } from "vitest";
import { readFlagLayer } from "./flags.ts";

function values(flags: string[]): Record<string, unknown> {
  const layer = readFlagLayer(flags);
  expect(layer.problems).toEqual([]);
  return Object.fromEntries(layer.assignments.map((a) => [a.key.path, a.value]));
}

describe("readFlagLayer", () => {
  it("reads --KEY=VALUE, --KEY VALUE and --set KEY=VALUE", () => {
    expect(
      values([
        "--nats.url",
        "nats://x:4222",
        "--workflow=dir",
        "--log.level",
        "debug",
        "--set",
        "streams.replicas=3",
        "--set=slack.prefix=a=b",
      ]),
    ).toEqual({
      "nats.url": "nats://x:4222",
      workflow: "dir",
      "log.level": "debug",
      "streams.replicas": 3,
      "slack.prefix": "a=b",
    });
  });

  it("accepts dashes or underscores between words", () => {
    expect(values(["--done-topic", "a", "--nats.connect-timeout=2s", "--file_topic=-"])).toEqual({
      done_topic: "a",
      "nats.connect_timeout": 2000,
      file_topic: "",
    });
  });

  it("reads a boolean alone as true, or with true/false/1/0", () => {
    expect(values(["--cache.s3.force-path-style"])).toEqual({ "cache.s3.force_path_style": true });
    expect(values(["--cache.s3.force-path-style", "false", "--host", "h"])).toEqual({
      "cache.s3.force_path_style": false,
      host: "h",
    });
    expect(values(["--cache.s3.force_path_style=0"])).toEqual({ "cache.s3.force_path_style": false });
  });

  it("skips --config, which the caller reads", () => {
    expect(values(["--config", "x.toml", "-c", "y.toml", "--config=z.toml", "--host=h"])).toEqual({
      host: "h",
    });
  });

  it("stops on an unknown key, with the key meant", () => {
    expect(readFlagLayer(["--nats.ulr", "nats://x"]).problems).toEqual([
      {
        severity: "error",
        key: "nats.ulr",
        source: "flag",
        message: 'unknown key "nats.ulr"; did you mean "nats.url"?',
      },
    ]);
    expect(readFlagLayer(["--set", "dne_topic=x"]).problems[0]?.message).toBe(
      'unknown key "dne_topic"; did you mean "done_topic"?',
    );
    expect(readFlagLayer(["--bogus"]).problems[0]?.message).toBe('unknown key "bogus"');
  });

  it("reports a missing value, a bad --set and a stray argument", () => {
    expect(readFlagLayer(["--nats.url", "--host=h", "--set", "novalue", "stray"]).problems).toEqual([
      { severity: "error", key: "nats.url", source: "flag", message: "--nats.url needs a value" },
      { severity: "error", key: "", source: "flag", message: '--set expects KEY=VALUE, got "novalue"' },
      {
        severity: "error",
        key: "",
        source: "flag",
        message: 'unexpected argument "stray"; write --KEY=VALUE',
      },
    ]);
  });

  it("reports a bad value on the key path", () => {
    expect(readFlagLayer(["--log.level=loud"]).problems).toEqual([
      expect.objectContaining({ severity: "error", key: "log.level", source: "flag" }),
    ]);
  });
});
