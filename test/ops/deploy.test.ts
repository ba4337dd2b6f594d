// docs/operations.md against what it describes: the deployment files it shows (whole, as they are), the drain the
// unit waits for, the image's config, port, probe and sources, and every metric, alert kind and /readyz field the
// service has.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { drainLimitMs } from "../../cmd/taskmaster/lifecycle.ts";
import { testApp } from "../../handler/fixture.ts";
import type { History } from "../../handler/history.ts";
import { createStartingApp } from "../../handler/starting.ts";
import { AlertKinds } from "../../internal/alert/sources.ts";
import { loadConfig } from "../../internal/config/index.ts";
import { EngineEvents } from "../../internal/engine/index.ts";
import { collectMetrics } from "../../internal/metrics/index.ts";

const root = join(import.meta.dirname, "../..");
const read = (path: string) => readFileSync(join(root, path), "utf8");
const page = read("docs/operations.md");
const unit = read("config/deploy/taskmaster.service");
const dockerfile = read("config/deploy/Dockerfile");

/** The fenced blocks of the page, as written between their fences. */
function codeBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? "");
}

/** The values of a systemd setting, in the order written. */
function unitValues(key: string): string[] {
  return [...unit.matchAll(new RegExp(`^${key}=(.*)$`, "gm"))].map((m) => m[1] ?? "");
}

/** A table row of the page that starts with `name` in code. */
const row = (name: string) => `| \`${name}\` |`;

describe("docs/operations.md", () => {
  it("shows every deployment file whole, as it is", () => {
    const blocks = codeBlocks(page);
    for (const file of ["taskmaster.service", "Dockerfile", "nats-accounts.conf", "taskmaster.toml"])
      expect(blocks, file).toContain(read(`config/deploy/${file}`));
  });

  it("has a unit that waits for the drain before SIGKILL and runs the built command", () => {
    expect(unitValues("KillSignal")).toEqual(["SIGTERM"]);
    const [timeout] = unitValues("TimeoutStopSec");
    expect(Number(timeout) * 1000).toBeGreaterThan(drainLimitMs);
    expect(unitValues("ExecStart")).toEqual(["/opt/taskmaster/dist/taskmaster.mjs run"]);
    expect(unitValues("Environment")).toContain("TASKMASTER_CONFIG=/etc/taskmaster/taskmaster.toml");
    expect(page).toContain(`The drain gets ${drainLimitMs / 1000} s`);
  });

  it("has an image that installs the deployment config where both read it, and exposes its port", () => {
    expect(dockerfile).toContain("COPY config/deploy/taskmaster.toml /etc/taskmaster/taskmaster.toml\n");
    expect(dockerfile).toContain("ENV TASKMASTER_CONFIG=/etc/taskmaster/taskmaster.toml\n");
    const { config, problems } = loadConfig({
      file: "config/deploy/taskmaster.toml",
      cwd: root,
      env: {},
      flags: [],
    });
    expect(problems).toEqual([]);
    const port = config.http.listen.slice(config.http.listen.lastIndexOf(":") + 1);
    expect(dockerfile).toContain(`EXPOSE ${port}\n`);
    expect(dockerfile).toContain(`http://127.0.0.1:${port}/healthz`);
  });

  it("has an image whose build stage holds every file the build is made of, and runs what it built", () => {
    // The sources as esbuild read them (dist/meta.json, from the build the test run made), the script and the
    // tsconfig it names: each copied in the build stage before `npm run build`.
    const stage = /^FROM \S+ AS build\n[\s\S]*?^RUN npm run build$/m.exec(dockerfile)?.[0] ?? "";
    const copied = [...stage.matchAll(/^COPY (\S+) \.\/(\S*)$/gm)].map((m) => m[1] ?? "");
    const inputs = Object.keys((JSON.parse(read("dist/meta.json")) as { inputs: object }).inputs);
    const needed = [...inputs, "scripts/build.mjs", "tsconfig.json"];
    const missing = needed.filter((file) => !copied.some((c) => file === c || file.startsWith(`${c}/`)));
    expect(inputs.length).toBeGreaterThan(100);
    expect(missing).toEqual([]);
    expect(dockerfile).toContain("COPY --from=build /opt/taskmaster/dist ./dist\n");
    expect(dockerfile).toContain('ENTRYPOINT ["node", "/opt/taskmaster/dist/taskmaster.mjs"]\n');
  });

  it("has a HEALTHCHECK that passes while /healthz answers and fails when nothing listens", async () => {
    const command = /^ {2}CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? "[]";
    const [program, ...args] = JSON.parse(command) as string[];
    expect(program).toBe("node");
    const app = createStartingApp(() => ({ waiting: "waiting for NATS" }));
    const server = createServer(async (req, res) => {
      const answer = await app.request(req.url ?? "/");
      res.writeHead(answer.status).end(await answer.text());
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const port = (server.address() as AddressInfo).port;
    const at = (p: number) => args.map((arg) => arg.replace("127.0.0.1:8080", `127.0.0.1:${p}`));
    expect(await exitCode(process.execPath, at(port))).toBe(0);
    await new Promise((done) => server.close(done));
    expect(await exitCode(process.execPath, at(port))).toBe(1);
  });

  it("names every metric the service exposes", () => {
    const text = collectMetrics(new EngineEvents()).render({
      natsConnected: 1,
      workflows: 1,
      phases: 1,
    });
    const names = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1] ?? "");
    expect(names.length).toBeGreaterThan(15);
    for (const name of names) expect(page, name).toMatch(new RegExp(`\`${name}[\`{]`));
  });

  it("names every alert kind", () => {
    for (const kind of Object.values(AlertKinds)) expect(page).toContain(row(kind));
  });

  it("explains every field of /readyz, while starting and after", async () => {
    const unread = new Proxy({} as History, {
      get: () => () => {
        throw new Error("the probes read no history");
      },
    });
    const fields = async (answer: Response) => Object.keys((await answer.json()) as object);
    const ready = await fields(await testApp(unread).request("/readyz"));
    const starting = await fields(
      await createStartingApp(() => ({ waiting: "waiting for NATS" })).request("/readyz"),
    );
    for (const field of new Set([...ready, ...starting])) expect(page).toContain(row(field));
  });
});

function exitCode(program: string, args: readonly string[]): Promise<number | null> {
  return new Promise((done, fail) => {
    const child = spawn(program, args, { stdio: "ignore" });
    child.once("error", fail);
    child.once("exit", (code) => done(code));
  });
}
