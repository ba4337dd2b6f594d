/** The schema against the `Config` type: every default, names derived from paths, and no clashes. */
import { describe, expect, it } from "vitest";
import { formatDefault } from "./docs.ts";
import { getField } from "./fields.ts";
import { findKey } from "./match.ts";
import { resolveConfig } from "./resolve.ts";
import { configKeys, keyByEnv, keyByPath } from "./schema.ts";
import type { Config } from "./types.ts";
import { fromText } from "./values.ts";

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;

/** Written out in full on purpose: a changed default must show up as a changed test. */
const defaults: Config = {
  workflow: "config/workflows",
  refresh: 15 * minute,
  doneTopic: "done",
  fileTopic: "files",
  failedTopic: "retry-failed",
  host: "localhost",
  nats: {
    url: "nats://127.0.0.1:4222",
    name: "taskmaster",
    user: "",
    pass: "",
    token: "",
    nkeySeedFile: "",
    credsFile: "",
    tlsCa: "",
    tlsCert: "",
    tlsKey: "",
    subjectPrefix: "",
    connectTimeout: 5 * second,
  },
  streams: {
    maxAge: 72 * hour,
    maxBytes: -1,
    duplicateWindow: 5 * minute,
    replicas: 1,
    tasks: "TASKMASTER_TASKS",
    done: "TASKMASTER_DONE",
    files: "TASKMASTER_FILES",
    failed: "TASKMASTER_FAILED",
  },
  engine: { stuckAfter: 5 * minute },
  cache: {
    path: "taskmaster.db",
    retention: 2160 * hour,
    backupPath: "",
    backupInterval: 15 * minute,
    backupKeep: 7,
    s3: { endpoint: "", region: "", accessKey: "", secretKey: "", forcePathStyle: false },
    gcs: { endpoint: "https://storage.googleapis.com", accessKey: "", secretKey: "" },
  },
  files: {
    watch: true,
    settle: 1000,
    scanInterval: minute,
    lookback: 24 * hour,
    retention: 168 * hour,
    bucket: "taskmaster_files",
  },
  slack: {
    url: "",
    channel: "",
    prefix: "",
    minFrequency: 5 * minute,
    maxFrequency: 80 * minute,
    taskTtl: 4 * hour,
  },
  http: {
    listen: "127.0.0.1:8080",
    address: { host: "127.0.0.1", port: 8080 },
    readToken: "",
    adminToken: "",
    readTokenFile: "",
    adminTokenFile: "",
    allowedHosts: "",
    timeZone: "UTC",
  },
  log: { level: "info", format: "json" },
};

describe("defaults", () => {
  it("gives every key its default, with no problems", () => {
    const { config, problems } = resolveConfig({ env: {}, flags: [] });
    expect(problems).toEqual([]);
    expect(config).toEqual(defaults);
    expect(config.statusPort).toBeUndefined();
  });

  it("freezes the config, tables included", () => {
    const { config } = resolveConfig({ env: {}, flags: [] });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.cache.s3)).toBe(true);
  });

  it.each(configKeys.filter((k) => k.default !== undefined).map((k) => [k.path, k] as const))(
    "%s: the default, written as text, reads back as itself",
    (_, key) => {
      const text = formatDefault(key).replace(/^"(.*)"$/, "$1");
      expect(fromText(key, text)).toEqual({ ok: true, value: key.default });
    },
  );
});

describe("the schema matches Config", () => {
  it("has a key for every field of Config and a field for every key", () => {
    const leaves = (value: object, prefix: string[] = []): string[] =>
      Object.entries(value).flatMap(([name, inner]) =>
        typeof inner === "object" && inner !== null
          ? leaves(inner, [...prefix, name])
          : [[...prefix, name].join(".")],
      );
    const fields = configKeys.map((k) => k.field.join(".")).filter((f) => f !== "statusPort");
    // `http.address` is no key: it is `http.listen`, read as host and port.
    const readFromKeys = ["http.address.host", "http.address.port"];
    expect([...fields, ...readFromKeys].sort()).toEqual(leaves(defaults).sort());
    for (const key of configKeys) {
      if (key.path !== "status_port") expect(getField(defaults, key.field), key.path).not.toBeUndefined();
    }
  });

  it("derives field, env and flag names from the path", () => {
    const key = keyByPath("cache.s3.force_path_style");
    expect(key?.field).toEqual(["cache", "s3", "forcePathStyle"]);
    expect(key?.env).toBe("TASKMASTER_CACHE_S3_FORCE_PATH_STYLE");
    expect(key?.flag).toBe("--cache.s3.force_path_style");
    expect(keyByPath("done_topic")?.env).toBe("TASKMASTER_DONE_TOPIC");
    expect(keyByEnv("TASKMASTER_NATS_URL")?.path).toBe("nats.url");
  });

  it("has no two keys with the same env name or the same folded spelling", () => {
    expect(new Set(configKeys.map((k) => k.env)).size).toBe(configKeys.length);
    for (const key of configKeys) {
      expect(findKey(key.path.split("."))).toEqual({ key, alias: false });
      for (const alias of key.aliases) expect(findKey(alias.split("."))).toEqual({ key, alias: true });
    }
  });

  it("marks exactly the secrets", () => {
    expect(configKeys.filter((k) => k.secret).map((k) => k.path)).toEqual([
      "nats.pass",
      "nats.token",
      "cache.s3.secret_key",
      "cache.gcs.secret_key",
      "slack.url",
      "http.read_token",
      "http.admin_token",
    ]);
  });
});
