/** Resolving all layers: precedence, the rules between keys, and every problem reported together. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./load.ts";
import { hasConfigErrors } from "./problem.ts";
import { resolveConfig } from "./resolve.ts";

const minute = 60_000;
const hour = 60 * minute;

describe("precedence: defaults < file < environment < flags", () => {
  const text = 'host = "from-file"\ndone_topic = "file-done"\nrefresh = "1m"\n[nats]\nname = "file-name"\n';
  const env = { TASKMASTER_DONE_TOPIC: "env-done", TASKMASTER_REFRESH: "2m" };

  it("lets each layer override the ones below it", () => {
    const { config, problems } = resolveConfig({ text, env, flags: ["--refresh", "3m"] });
    expect(problems).toEqual([]);
    expect(config.workflow).toBe("config/workflows"); // default
    expect(config.host).toBe("from-file");
    expect(config.nats.name).toBe("file-name");
    expect(config.doneTopic).toBe("env-done");
    expect(config.refresh).toBe(3 * minute);
  });

  it("keeps the value from below when a layer's value is bad", () => {
    const { config, problems } = resolveConfig({
      text,
      env: { TASKMASTER_HOST: "h" },
      flags: ["--refresh=never"],
    });
    expect(config.refresh).toBe(minute);
    expect(config.host).toBe("h");
    expect(problems.map((p) => [p.source, p.key])).toEqual([["flag", "refresh"]]);
  });
});

describe("rules between keys", () => {
  it("lets status_port set the port of http.listen", () => {
    expect(resolveConfig({ text: "status_port = 9000", env: {}, flags: [] }).config.http.listen).toBe(
      "127.0.0.1:9000",
    );
    const both = resolveConfig({
      text: 'status_port = 9000\n[http]\nlisten = "0.0.0.0:8080"',
      env: {},
      flags: [],
    });
    expect(both.config.http.listen).toBe("0.0.0.0:9000");
    expect(both.config.http.address).toEqual({ host: "0.0.0.0", port: 9000 });
    expect(both.config.statusPort).toBe(9000);
    expect(both.problems).toEqual([
      expect.objectContaining({ severity: "warning", key: "status_port", line: 1, source: "file" }),
    ]);
  });

  it("lets a listen address from a higher layer win over status_port", () => {
    const { config, problems } = resolveConfig({
      text: "status_port = 9000",
      env: {},
      flags: ["--http.listen", "[::1]:7000"],
    });
    expect(config.http.listen).toBe("[::1]:7000");
    expect(config.http.address).toEqual({ host: "::1", port: 7000 });
    expect(problems).toEqual([]);
    expect(
      resolveConfig({ text: "", env: { TASKMASTER_STATUS_PORT: "81" }, flags: [] }).config.http.listen,
    ).toBe("127.0.0.1:81");
  });

  it("reads http.listen once as host and port: an empty host is every interface, port 0 a free one", () => {
    const at = (listen: string) =>
      resolveConfig({ text: "", env: {}, flags: ["--http.listen", listen] }).config.http.address;
    expect(at(":0")).toEqual({ host: "", port: 0 });
    expect(at("[::]:8081")).toEqual({ host: "::", port: 8081 });
    expect(resolveConfig({ text: "", env: {}, flags: [] }).config.http.address).toEqual({
      host: "127.0.0.1",
      port: 8080,
    });
  });

  it("refuses an http.listen it cannot read, at config time, and keeps the default", () => {
    const { config, problems } = resolveConfig({ text: '[http]\nlisten = "::1:8080"', env: {}, flags: [] });
    expect(problems).toEqual([
      expect.objectContaining({
        severity: "error",
        key: "http.listen",
        line: 2,
        message: 'expected host:port, got "::1:8080": write an IPv6 address in brackets, such as [::1]:8080',
      }),
    ]);
    expect(config.http.address).toEqual({ host: "127.0.0.1", port: 8080 });
  });

  it("ignores status_port = 0, flowlord's 'no HTTP', with a warning", () => {
    const { config, problems } = resolveConfig({ text: "status_port = 0", env: {}, flags: [] });
    expect(config.http.listen).toBe("127.0.0.1:8080");
    expect(problems[0]?.message).toMatch(/^ignored: 0 turned flowlord's HTTP server off/);
  });

  it("keeps a triggered file remembered at least as long as scans look back", () => {
    const at = (text: string) => resolveConfig({ text, env: {}, flags: [] });
    expect(at("").config.files.retention).toBe(168 * hour);
    const short = at("[files]\nlookback = '48h'\nretention = '1h'");
    expect(short.config.files.retention).toBe(48 * hour);
    expect(short.problems).toEqual([
      {
        severity: "warning",
        key: "files.retention",
        source: "file",
        line: 3,
        column: 1,
        message: "raised to files.lookback (48h): a file forgotten sooner would be triggered again by a scan",
      },
    ]);
  });

  it("makes max_frequency 16 × min_frequency by default and when not above min", () => {
    const at = (text: string) => resolveConfig({ text, env: {}, flags: [] });
    expect(at("").config.slack.maxFrequency).toBe(80 * minute);
    expect(at("[slack]\nmin_frequency = '10m'").config.slack.maxFrequency).toBe(160 * minute);
    expect(at("[slack]\nmin_frequency = '10m'\nmax_frequency = '2h'").config.slack.maxFrequency).toBe(
      2 * hour,
    );
    const low = at("[slack]\nmin_frequency = '10m'\nMaxFrequency = '10m'");
    expect(low.config.slack.maxFrequency).toBe(160 * minute);
    expect(low.problems).toEqual([
      {
        severity: "warning",
        key: "slack.MaxFrequency",
        source: "file",
        line: 3,
        column: 1,
        message:
          "10m is not above slack.min_frequency 10m; using 16 × min_frequency = 2h40m, as flowlord does",
      },
    ]);
  });

  it("raises task_ttl to at least an hour", () => {
    const { config, problems } = resolveConfig({ text: "[sqlite]\ntask-ttl = '30m'", env: {}, flags: [] });
    expect(config.slack.taskTtl).toBe(hour);
    expect(problems).toEqual([
      expect.objectContaining({ severity: "warning", key: "sqlite.task-ttl", line: 2 }),
    ]);
    expect(
      resolveConfig({ text: "", env: { TASKMASTER_SLACK_TASK_TTL: "2h" }, flags: [] }).config.slack.taskTtl,
    ).toBe(2 * hour);
  });

  it("fits the duplicate window into the streams' max age", () => {
    const { config, problems } = resolveConfig({ text: "", env: {}, flags: ["--streams.max_age=1m"] });
    expect(config.streams.duplicateWindow).toBe(minute);
    expect(problems).toEqual([
      expect.objectContaining({ severity: "warning", key: "streams.max_age", source: "flag" }),
    ]);
    expect(resolveConfig({ text: "", env: {}, flags: ["--streams.max_age=0s"] }).problems).toEqual([]);
  });

  it("refuses a token given both inline and as a file", () => {
    const { config, problems } = resolveConfig({
      text: "[http]\nadmin_token_file = '/run/secrets/admin'",
      env: { TASKMASTER_HTTP_ADMIN_TOKEN: "t0ken" },
      flags: [],
    });
    expect(hasConfigErrors(problems)).toBe(true);
    expect(problems[0]).toMatchObject({
      key: "http.admin_token_file",
      message: "set either http.admin_token or http.admin_token_file, not both",
    });
    expect(config.http.adminTokenFile).toBe("");
  });
});

describe("backups to a bucket", () => {
  it("refuses flowlord's gs:// BackupPath without an HMAC key, naming the keys to set", () => {
    const text = '[sqlite]\nBackupPath = "gs://bucket/tasks.db"\n';
    const { problems } = resolveConfig({ text, env: {}, flags: [] });
    expect(problems).toEqual([
      expect.objectContaining({
        severity: "error",
        key: "sqlite.BackupPath",
        line: 2,
        message: expect.stringContaining(
          "gs://bucket/tasks.db cannot be reached: gs:// is read through GCS's XML API with an HMAC key: " +
            "set cache.gcs.access_key and cache.gcs.secret_key",
        ),
      }),
    ]);
    expect(hasConfigErrors(problems)).toBe(true);
  });

  it("takes gs:// with the HMAC key from the file or the environment", () => {
    const text = '[sqlite]\nBackupPath = "gs://bucket/tasks.db"\n[cache.gcs]\naccess_key = "GOOG1E"\n';
    const env = { TASKMASTER_CACHE_GCS_SECRET_KEY: "hmac" };
    const { config, problems } = resolveConfig({ text, env, flags: [] });
    expect(problems).toEqual([]);
    expect(config.cache.gcs).toEqual({
      endpoint: "https://storage.googleapis.com",
      accessKey: "GOOG1E",
      secretKey: "hmac",
    });
  });

  it.each([
    [
      "mc://bucket/cache",
      '"mc://" is not supported; give a folder, s3://bucket/prefix or gs://bucket/prefix',
    ],
    ["s3://Bad_Bucket/cache", '"Bad_Bucket" is not a valid S3 bucket name'],
    ["s3://bucket/a/../b", 'prefix "a/../b" has an empty, "." or ".." part'],
    ["file://relative", "a file:// location needs an absolute path"],
  ])("refuses the backup location %j, which no backup could use", (path, message) => {
    const { problems } = resolveConfig({ text: "", env: {}, flags: ["--cache.backup_path", path] });
    expect(problems).toEqual([
      expect.objectContaining({
        severity: "error",
        key: "cache.backup_path",
        message: expect.stringContaining(message),
      }),
    ]);
  });
});

describe("every problem at once", () => {
  it("collects problems from the file, the environment, the flags and the rules", () => {
    const { problems } = resolveConfig({
      text: "[nats]\nurl = 3\n[bus]\nbus = 'nsq'\n[slack]\nmin_frequency = '5m'\nmax_frequency = '1m'\n",
      env: { TASKMASTER_NATS_ULR: "x", TASKMASTER_LOG_LEVEL: "loud" },
      flags: ["--nats.ulr=x", "--streams.replicas", "0"],
    });
    expect(problems.map((p) => [p.source, p.severity, p.key])).toEqual([
      ["file", "error", "nats.url"],
      ["file", "warning", "bus"],
      ["env", "error", "log.level"],
      ["env", "warning", "TASKMASTER_NATS_ULR"],
      ["flag", "error", "nats.ulr"],
      ["flag", "error", "streams.replicas"],
      ["file", "warning", "slack.max_frequency"],
    ]);
  });
});

describe("loadConfig", () => {
  const dir = mkdtempSync(join(tmpdir(), "taskmaster-config-"));
  writeFileSync(join(dir, "tm.toml"), '[nats]\nurl = "nats://files:4222"\n');

  it("reads the file relative to cwd", () => {
    const { config, problems } = loadConfig({ file: "tm.toml", cwd: dir, env: {}, flags: [] });
    expect(problems).toEqual([]);
    expect(config.nats.url).toBe("nats://files:4222");
  });

  it("resolves without a file", () => {
    const { config, problems } = loadConfig({ cwd: dir, env: { TASKMASTER_HOST: "h" }, flags: [] });
    expect(problems).toEqual([]);
    expect(config.host).toBe("h");
  });

  it("reports a missing file as an error, and still the other problems", () => {
    const { config, problems } = loadConfig({ file: "nope.toml", cwd: dir, env: {}, flags: ["--bogus=1"] });
    expect(problems).toEqual([
      { severity: "error", key: "", source: "file", message: 'no such config file: "nope.toml"' },
      expect.objectContaining({ source: "flag", key: "bogus" }),
    ]);
    expect(config.nats.url).toBe("nats://127.0.0.1:4222");
  });

  it("reports a directory given as the file", () => {
    expect(loadConfig({ file: ".", cwd: dir, env: {}, flags: [] }).problems[0]?.message).toBe(
      'the config file is a directory: "."',
    );
  });

  it("loads config/taskmaster.toml, the config make run uses, with no problems", () => {
    const root = join(import.meta.dirname, "..", "..");
    const { config, problems } = loadConfig({
      file: "config/taskmaster.toml",
      cwd: root,
      env: {},
      flags: [],
    });
    expect(problems).toEqual([]);
    expect(config.workflow).toBe("config/workflows");
    expect(config.nats.url).toBe("nats://127.0.0.1:4222");
    expect(config.cache.path).toBe(".tmp/taskmaster.db");
    expect(config.log.format).toBe("pretty");
  });
});
