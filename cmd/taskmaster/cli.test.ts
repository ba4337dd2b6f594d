import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "./main.ts";
import { roleArgs } from "./run.ts";

const repo = fileURLToPath(new URL("../..", import.meta.url));

async function run(
  argv: string[],
  options: { cwd?: string; stdin?: string; env?: Record<string, string> } = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    cwd: options.cwd ?? repo,
    env: options.env ?? {},
    readStdin: async () => options.stdin ?? "",
  });
  return { code, out, err };
}

function workflowDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "taskmaster-cli-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const lines = (out: string[]) =>
  out.map((l) => JSON.parse(l) as { topic: string; delay_ms: number; task: Record<string, string> });

describe("taskmaster --help", () => {
  it("lists the commands", async () => {
    const { code, out } = await run(["--help"]);
    expect(code).toBe(0);
    expect(out.join("\n")).toMatch(/validate PATH[\s\S]*plan[\s\S]*--cron TASK\[:JOB\] --at TIME/);
  });

  it("exits 2 on an unknown command", async () => {
    const { code, err } = await run(["frobnicate"]);
    expect(code).toBe(2);
    expect(err[0]).toBe('taskmaster: unknown command "frobnicate"');
  });
});

describe("taskmaster validate", () => {
  it("accepts the demo workflows, printing warnings and a summary", async () => {
    const { code, out } = await run(["validate", "config/workflows"]);
    expect(code).toBe(0);
    expect(out.at(-1)).toMatch(/^5 workflows, \d+ phases: 0 errors, \d+ warnings?$/);
  });

  it("prints every problem as FILE: PHASE: message and exits 1 on errors", async () => {
    const dir = workflowDir({
      "good.toml": '[[phase]]\ntask = "a"\nrule = "cron=@hourly"\n',
      "sub/bad.toml": [
        '[[phase]]\ntask = "b"\nrule = "cron=61 * * * *&offset=soon&Offset=1h"\n',
        '[[phase]]\ntask = "c"\ndependsOn = "d"\n',
        '[[phase]]\ntask = "d"\ndependsOn = "c"\n',
      ].join("\n"),
      "broken.toml": '[[phase]]\ntask = "x\n',
    });
    const { code, out } = await run(["validate", dir]);
    expect(code).toBe(1);
    const text = out.join("\n");
    expect(text).toContain(`${join(dir, "broken.toml")}:2:`);
    expect(text).toMatch(
      new RegExp(`${join(dir, "sub/bad.toml")}:1: b: rule.cron: invalid cron "61 \\* \\* \\* \\*"`),
    );
    expect(text).toContain(`${join(dir, "sub/bad.toml")}:1: b: rule.offset: invalid duration "soon"`);
    expect(text).toMatch(/sub\/bad\.toml:1: b: warning: rule\.Offset: unknown rule key "Offset".*offset/);
    expect(text).toMatch(/sub\/bad\.toml:\d+: [cd]: dependsOn: dependsOn cycle (c → d → c|d → c → d)/);
    expect(out.at(-1)).toMatch(/^2 workflows, 4 phases: \d+ errors, \d+ warnings?$/);
  });

  it("refuses meta-files named by URL that could never be read, naming what to set", async () => {
    const dir = workflowDir({
      "w.toml": [
        '[[phase]]\ntask = "a"\nrule = "cron=@daily&meta-file=gs://meta/rows.csv"\ntemplate = "{meta:id}"\n',
        '[[phase]]\ntask = "b"\nrule = "cron=@daily&meta-file=mc://meta/rows.csv"\ntemplate = "{meta:id}"\n',
        '[[phase]]\ntask = "c"\nrule = "cron=@daily&meta-file=s3://meta/rows.csv"\ntemplate = "{meta:id}"\n',
      ].join("\n"),
    });
    const { code, out } = await run(["validate", dir]);
    expect(code).toBe(1);
    expect(out).toEqual([
      `${join(dir, "w.toml")}:1: a: rule.meta-file: gs://meta/rows.csv cannot be read: gs:// is read through ` +
        "GCS's XML API with an HMAC key: set cache.gcs.access_key and cache.gcs.secret_key " +
        "(TASKMASTER_CACHE_GCS_ACCESS_KEY, TASKMASTER_CACHE_GCS_SECRET_KEY)",
      `${join(dir, "w.toml")}:6: b: rule.meta-file: mc://meta/rows.csv: "mc://" meta-files are not read; give a ` +
        "local path, s3://bucket/key (MinIO and other S3 stores through cache.s3.endpoint) or gs://bucket/key",
      "1 workflow, 3 phases: 2 errors, 0 warnings",
    ]);
    // With the HMAC key (here from the environment; --config FILE works too) only the unknown scheme is left.
    const env = { TASKMASTER_CACHE_GCS_ACCESS_KEY: "GOOG1E", TASKMASTER_CACHE_GCS_SECRET_KEY: "hmac" };
    const keyed = await run(["validate", dir], { env });
    expect(keyed.out.filter((l) => l.includes("rule.meta-file")).map((l) => l.split(": ")[1])).toEqual(["b"]);
    const config = join(mkdtempSync(join(tmpdir(), "taskmaster-cli-config-")), "taskmaster.toml");
    writeFileSync(config, '[cache.gcs]\naccess_key = "GOOG1E"\nsecret_key = "hmac"\n');
    const fromFile = await run(["validate", dir, "--config", config]);
    expect(fromFile.out.at(-1)).toBe("1 workflow, 3 phases: 1 error, 0 warnings");
  });

  it("exits 2 without a PATH", async () => {
    expect((await run(["validate"])).code).toBe(2);
  });

  it("reports a missing path as an error", async () => {
    const { code, out } = await run(["validate", "no/such/dir"]);
    expect(code).toBe(1);
    expect(out[0]).toContain("workflow path does not exist");
  });
});

describe("taskmaster plan", () => {
  const fixtures = "internal/workflow/testdata/workflow";

  it("prints a cron slot's task as {topic, delay_ms, task}", async () => {
    const { code, out } = await run([
      "plan",
      "--workflow",
      fixtures,
      "--cron",
      "task1:t2",
      "--at",
      "2024-01-15T10",
      "--now",
      "2024-01-15T10:00:05Z",
    ]);
    expect(code).toBe(0);
    const [line] = lines(out);
    expect(line).toMatchObject({
      topic: "task1",
      delay_ms: 0,
      task: {
        type: "task1",
        job: "t2",
        info: "?date=2024-01-15T06",
        created: "2024-01-15T10:00:05Z",
        meta: "cron=2024-01-15T06&job=t2&workflow=f1.toml",
      },
    });
    expect(Object.keys(line?.task ?? {})).toEqual(["type", "job", "info", "created", "id", "meta"]);
  });

  it("lists the candidates and exits 1 when a phase is in several workflows", async () => {
    const dir = workflowDir({
      "a.toml": '[[phase]]\ntask = "sync"\nrule = "cron=@hourly"\ntemplate = "a"\n',
      "b.toml": '[[phase]]\ntask = "sync"\nrule = "cron=@daily"\ntemplate = "b"\n',
    });
    const { code, err } = await run(["plan", "--workflow", dir, "--cron", "sync", "--at", "2024-01-15"]);
    expect(code).toBe(1);
    expect(err).toEqual([
      "taskmaster: sync is ambiguous; pick one with --in WORKFLOW (and TASK:JOB):",
      "  --in a.toml --cron sync",
      "  --in b.toml --cron sync",
    ]);
    const picked = await run([
      "plan",
      "--workflow",
      dir,
      "--cron",
      "sync",
      "--in",
      "b.toml",
      "--at",
      "2024-01-15",
    ]);
    expect(lines(picked.out).map((l) => l.task.info)).toEqual(["b"]);
  });

  it("prefers the phase that has a cron rule", async () => {
    const { out } = await run(["plan", "--workflow", fixtures, "--cron", "task1", "--at", "2024-01-15"]);
    expect(lines(out).map((l) => [l.task.info, l.task.meta])).toEqual([
      ["?date=2024-01-15", "cron=2024-01-15T00&workflow=f3.toml"],
    ]);
  });

  it("plans a done message's children, from an argument or standard input", async () => {
    const done =
      '{"type":"task1","id":"p1","result":"complete","meta":"workflow=f1.toml&cron=2020-01-01T08"}';
    const inline = await run(["plan", "--workflow", fixtures, "--done", done]);
    const piped = await run(["plan", "--workflow", fixtures, "--done", "-"], { stdin: done });
    for (const { code, out } of [inline, piped]) {
      expect(code).toBe(0);
      expect(lines(out).map((l) => [l.topic, l.task.id, l.task.info])).toEqual([
        ["task2", "p1", "?time=2020-01-01"],
      ]);
    }
  });

  it("shows the drawn delay of a retry", async () => {
    const done = '{"type":"task1","job":"t2","id":"p1","result":"error","meta":"workflow=f1.toml"}';
    const [retry] = lines((await run(["plan", "--workflow", fixtures, "--done", done])).out);
    expect(retry?.delay_ms).toBeGreaterThanOrEqual(10);
    expect(retry?.delay_ms).toBeLessThan(14);
    expect(retry?.task.meta).toBe(`delayed=${retry?.delay_ms}ms&retry=1&workflow=f1.toml`);
  });

  it("plans a file arrival, a relative path read from where the command runs", async () => {
    const dir = workflowDir({
      "f.toml": '[[phase]]\ntask = "load"\nrule = "files=/data/*/in/*.txt"\ntemplate = "{meta:file}"\n',
    });
    const absolute = await run(["plan", "--workflow", dir, "--file", "/data/x/in/a.txt"]);
    expect(lines(absolute.out).map((l) => [l.topic, l.task.info])).toEqual([["load", "/data/x/in/a.txt"]]);
    const relative = await run(["plan", "--workflow", dir, "--file", "./in/./b.txt"], { cwd: "/data/y" });
    expect(lines(relative.out).map((l) => l.task.info)).toEqual(["/data/y/in/b.txt"]);
  });

  it("refuses a file path that climbs with .., as the service does", async () => {
    const dir = workflowDir({ "f.toml": '[[phase]]\ntask = "load"\nrule = "files=/data/**/*.txt"\n' });
    const { code, out, err } = await run(["plan", "--workflow", dir, "--file", "/data/../etc/a.txt"]);
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err.join("\n")).toContain('--file: /data/../etc/a.txt has a ".." segment');
  });

  it("plans a backload and prints its status to stderr", async () => {
    const body = JSON.stringify({ Task: "task1", Workflow: "f3.toml", From: "2024-01-01", To: "2024-01-03" });
    const { code, out, err } = await run(["plan", "--workflow", fixtures, "--backload", body]);
    expect(code).toBe(0);
    expect(lines(out).map((l) => l.task.info)).toEqual([
      "?date=2024-01-01",
      "?date=2024-01-02",
      "?date=2024-01-03",
    ]);
    expect(err).toContain("status: phase found in f3.toml");
  });

  it.each([
    [["--done", '{"type":"task1"'], /^taskmaster: not valid JSON/],
    [["--done", '{"type":"task1","result":"maybe"}'], /^taskmaster: result: must be one of/],
    [["--cron", "nope", "--at", "2024-01-01"], /^taskmaster: no phase nope in any workflow/],
    [
      ["--cron", "task3", "--in", "f3.toml", "--at", "2024-01-01"],
      /^taskmaster: f3\.toml: task3 has no cron rule/,
    ],
    [["--cron", "task1:t2", "--at", "tomorrow"], /^taskmaster: --at: cannot read "tomorrow" as a time/],
    [["--backload", "{nope"], /^taskmaster: --backload: not valid JSON/],
  ])("exits 1 with a clear message for %j", async (args, message) => {
    const { code, err, out } = await run(["plan", "--workflow", fixtures, ...args]);
    expect(out).toEqual([]);
    expect(code).toBe(1);
    expect(err[0]).toMatch(message);
  });

  it.each([
    [["--cron", "task1"], "--cron needs --at TIME"],
    [["--done", "{}", "--file", "x"], "give exactly one of --cron, --done, --file, --backload"],
    [["--bogus"], "Unknown option '--bogus'"],
  ])("exits 2 for usage errors: %j", async (args, message) => {
    const { code, err } = await run(["plan", "--workflow", fixtures, ...args]);
    expect(code).toBe(2);
    expect(err[0]).toContain(message);
  });

  it("refuses to plan over workflows with errors", async () => {
    const dir = workflowDir({ "w.toml": '[[phase]]\ntask = "a"\nrule = "cron=bad"\n' });
    const { code, err } = await run(["plan", "--workflow", dir, "--cron", "a", "--at", "2024-01-01"]);
    expect(code).toBe(1);
    expect(err.at(-1)).toContain("the workflows have errors");
  });
});

describe("taskmaster run --role", () => {
  const run = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(["run", ...args], {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      cwd: repo,
      env: {},
      readStdin: async () => "",
    });
    return { code, out: out.join("\n"), err: err.join("\n") };
  };

  it("names the roles in its usage", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/--role all\|engine\|history/);
  });

  it("refuses a role that is none of them, and a role without a value", async () => {
    const bad = await run(["--role", "scheduler"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--role is all, engine or history, not "scheduler"/);
    const missing = await run(["--role"]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/--role needs a value/);
  });
});

describe("roleArgs", () => {
  it("takes the role and the history's address out of the config flags, in both spellings", () => {
    expect(roleArgs(["--nats.url", "nats://x:1", "--role=engine"])).toEqual({
      role: "engine",
      rest: ["--nats.url", "nats://x:1"],
    });
    expect(roleArgs(["--role", "history", "--history-listen", "127.0.0.1:0", "--config", "f.toml"])).toEqual({
      role: "history",
      historyListen: "127.0.0.1:0",
      rest: ["--config", "f.toml"],
    });
    expect(roleArgs([]).role).toBe("all");
  });
});
