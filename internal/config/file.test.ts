/** The file layer: flowlord's spellings, ignored and unknown keys, type errors and syntax errors, with positions. */
import { describe, expect, it } from "vitest";
import { readFileLayer } from "./file.ts";
import { locateKey } from "./locate.ts";

function values(text: string): Record<string, unknown> {
  return Object.fromEntries(readFileLayer(text).assignments.map((a) => [a.key.path, a.value]));
}

const hour = 3_600_000;

describe("flowlord's keys", () => {
  it("binds the example from flowlord's README with only the [bus] warning", () => {
    const layer = readFileLayer(`workflow = "./workflows"
status_port = 8080
file_topic = "files"
[bus]
  bus = "nsq"
  in_channel = "flowlord"
  lookupd_hosts = ["nsqlookupd:4161"]
[slack]
  url = "https://hooks.slack.com/services/T/B/X"
  prefix = "prod"
  MinFrequency = "5m"
  MaxFrequency = "2h"
[sqlite]
  LocalPath = "./tasks.db"
  BackupPath = "gs://bucket/tasks.db"
  Retention = "2160h"
  task-ttl = "4h"
`);
    expect(layer.problems).toEqual([
      {
        severity: "warning",
        key: "bus",
        source: "file",
        line: 4,
        column: 1,
        message: "ignored: taskmaster talks NATS; [nats] replaces [bus]",
      },
    ]);
    expect(Object.fromEntries(layer.assignments.map((a) => [a.key.path, a.value]))).toEqual({
      workflow: "./workflows",
      status_port: 8080,
      file_topic: "files",
      "slack.url": "https://hooks.slack.com/services/T/B/X",
      "slack.prefix": "prod",
      "slack.min_frequency": 5 * 60_000,
      "slack.max_frequency": 2 * hour,
      "cache.path": "./tasks.db",
      "cache.backup_path": "gs://bucket/tasks.db",
      "cache.retention": 2160 * hour,
      "slack.task_ttl": 4 * hour,
    });
  });

  it.each([
    ["[sqlite]\nLocalPath = 'a.db'", "cache.path", "a.db"],
    ["[sqlite]\nlocal_path = 'a.db'", "cache.path", "a.db"],
    ["[sqlite]\nlocalpath = 'a.db'", "cache.path", "a.db"],
    ["[sqlite]\nBackupPath = 'b'", "cache.backup_path", "b"],
    ["[sqlite]\nbackup_path = 'b'", "cache.backup_path", "b"],
    ["[sqlite]\nRetention = '1h'", "cache.retention", hour],
    ["[sqlite]\nretention = '1h'", "cache.retention", hour],
    ["[sqlite]\ntask-ttl = '2h'", "slack.task_ttl", 2 * hour],
    ["[sqlite]\ntask_ttl = '2h'", "slack.task_ttl", 2 * hour],
    ["[cache]\nlocal_path = 'a.db'", "cache.path", "a.db"],
    ["[cache]\ntask_ttl = '2h'", "slack.task_ttl", 2 * hour],
    ["[slack]\nMinFrequency = '1m'", "slack.min_frequency", 60_000],
    ["[slack]\nminfrequency = '1m'", "slack.min_frequency", 60_000],
    ["[slack]\nmin-frequency = '1m'", "slack.min_frequency", 60_000],
    ["[slack]\nMaxFrequency = '1h'", "slack.max_frequency", hour],
    ["[Slack]\nURL = 'https://x.test/hook'", "slack.url", "https://x.test/hook"],
    ["Done-Topic = 'fin'", "done_topic", "fin"],
  ])("%j binds %s with no problem", (text, path, value) => {
    const layer = readFileLayer(text);
    expect(layer.problems).toEqual([]);
    expect(values(text)).toEqual({ [path]: value });
  });

  it("warns that [file] and slack.title are ignored, and why", () => {
    const layer = readFileLayer("[file]\naccess_key = 'k'\n[slack]\ntitle = 't'\n");
    expect(layer.problems.map((p) => [p.key, p.severity, p.line])).toEqual([
      ["file", "warning", 1],
      ["slack.title", "warning", 4],
    ]);
    expect(layer.problems[0]?.message).toMatch(/^ignored: .*\[cache\.s3\]/);
    expect(layer.problems[1]?.message).toMatch(/^ignored: .*slack\.prefix/);
  });

  it("prefers our own name when a file uses both spellings", () => {
    const layer = readFileLayer("[cache]\npath = 'ours.db'\n[sqlite]\nLocalPath = 'theirs.db'\n");
    expect(values("[cache]\npath = 'ours.db'\n[sqlite]\nLocalPath = 'theirs.db'\n")).toEqual({
      "cache.path": "ours.db",
    });
    expect(layer.problems).toEqual([
      expect.objectContaining({ severity: "warning", key: "sqlite.LocalPath", line: 4 }),
    ]);
  });
});

describe("problems", () => {
  it("warns about an unknown key, with the key meant", () => {
    expect(readFileLayer("[nats]\nulr = 'x'\n").problems).toEqual([
      {
        severity: "warning",
        key: "nats.ulr",
        source: "file",
        line: 2,
        column: 1,
        message: 'unknown key "nats.ulr"; did you mean "nats.url"?',
      },
    ]);
    expect(readFileLayer("[nats]\nmax_age = '1h'\n").problems[0]?.message).toBe(
      'unknown key "nats.max_age"; did you mean "streams.max_age"?',
    );
    expect(readFileLayer("refresh_every = '1m'\n").problems[0]?.message).toBe('unknown key "refresh_every"');
    expect(readFileLayer("[metrics]\nport = 1\n").problems[0]?.key).toBe("metrics");
  });

  it("names the key and what was expected for a wrong type", () => {
    expect(readFileLayer("[nats]\n  url = 3\n").problems).toEqual([
      {
        severity: "error",
        key: "nats.url",
        source: "file",
        line: 2,
        column: 3,
        message: "expected a string, got 3",
      },
    ]);
    expect(readFileLayer("nats = 'x'\n").problems[0]?.message).toBe('expected a table, got "x"');
  });

  it("gives one error with line and column for a syntax error", () => {
    const layer = readFileLayer('workflow = "a"\n[nats]\nurl = \n');
    expect(layer.assignments).toEqual([]);
    expect(layer.problems).toEqual([
      {
        severity: "error",
        key: "",
        source: "file",
        line: 3,
        column: 7,
        message: "invalid TOML: invalid value",
      },
    ]);
  });

  it("reports every problem at once and keeps the good values", () => {
    const text = `refresh = "soon"
host = "tm.example"
[nats]
url = "http://x"
pass = 3
[streams]
replicas = 9
max_bytes = "lots"
[log]
level = "loud"
[bus]
bus = "nsq"
`;
    const layer = readFileLayer(text);
    expect(layer.problems.map((p) => [p.severity, p.key, p.line])).toEqual([
      ["error", "refresh", 1],
      ["error", "nats.url", 4],
      ["error", "nats.pass", 5],
      ["error", "streams.replicas", 7],
      ["error", "streams.max_bytes", 8],
      ["error", "log.level", 10],
      ["warning", "bus", 11],
    ]);
    expect(values(text)).toEqual({ host: "tm.example" });
  });
});

describe("locateKey", () => {
  const text = `# comment
top = 1
[a.b]
  c = 2
  "d.e" = 3
[[list]]
x = 1
[f]
g = { h = 1 }
`;
  it.each([
    [["top"], { line: 2, column: 1 }],
    [["a", "b", "c"], { line: 4, column: 3 }],
    [["a", "b", "d.e"], { line: 5, column: 3 }],
    [["a", "b"], { line: 3, column: 1 }],
    [["f", "g", "h"], { line: 9, column: 1 }],
    [["a", "b", "zz"], { line: 3, column: 1 }],
    [["nowhere"], undefined],
  ])("%j at %j", (segments, position) => {
    expect(locateKey(text, segments)).toEqual(position);
  });
});

describe("suggestions", () => {
  it.each([
    ["[slak]\nurl = 'x'", 'unknown key "slak"; did you mean "slack"?'],
    ["[NATS]\nulr = 'x'", 'unknown key "NATS.ulr"; did you mean "nats.url"?'],
    ["[cache.s3]\nregoin = 'x'", 'unknown key "cache.s3.regoin"; did you mean "cache.s3.region"?'],
    ["[cache]\nsecret_key = 'x'", 'unknown key "cache.secret_key"; did you mean "cache.s3.secret_key"?'],
    ["wrkflow = 'x'", 'unknown key "wrkflow"; did you mean "workflow"?'],
  ])("%j", (text, message) => {
    expect(readFileLayer(text).problems.map((p) => p.message)).toEqual([message]);
  });
});
