// Flowlord's /recap, /notify and /workflow/* through `app.request()`: the recap read back from a real SQLite file
// in flowlord's JSON and text shapes, notify's three answers, and the workflow files with every way out of the root
// refused.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono, type MiddlewareHandler } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recapOn } from "../internal/cache/index.ts";
import { type HistoryFile, historyFile, ranFor, task, tempDir } from "../test/helpers/records.ts";
import { type FlowlordDeps, mountFlowlord, workflowSegments } from "./flowlord.ts";

const pass: MiddlewareHandler = async (_c, next) => {
  await next();
};

let store: HistoryFile;
let cache: { remove: () => void };
let folder: string;
let root: string;
const secret = "TOP-SECRET-OUTSIDE";

beforeAll(async () => {
  const dir = tempDir();
  cache = dir;
  store = historyFile(join(dir.dir, "taskmaster.db"));
  const runs: [string, string, number, string][] = [
    ["e0", "2024-01-15T00:00:00Z", 1500, "complete"],
    ["e1", "2024-01-15T01:00:00Z", 90_000, "complete"],
    ["e5", "2024-01-15T05:00:00Z", 10, "error"],
  ];
  for (const [key, dataTime, ms, result] of runs) {
    const t = task({ key, id: key, dataTime });
    store.taskEmitted(t);
    store.taskDone(ranFor(t, ms, result));
  }
  const load = task({
    key: "l3",
    id: "l3",
    type: "load",
    job: "",
    meta: "",
    dataTime: "2024-01-15T03:00:00Z",
  });
  store.taskEmitted(load);
  store.taskDone(ranFor(load, 60_000));

  // <folder>/root is the workflow root; <folder>/outside holds what must never be served.
  folder = mkdtempSync(join(tmpdir(), "taskmaster-flowlord-"));
  root = join(folder, "root");
  const outside = join(folder, "outside");
  mkdirSync(join(root, "sub"), { recursive: true });
  mkdirSync(join(root, ".git"));
  mkdirSync(outside);
  writeFileSync(join(root, "a.toml"), '[[phase]]\ntask = "a"\n');
  writeFileSync(join(root, "notes.txt"), "notes\n");
  writeFileSync(join(root, "sub", "b.json"), "{}\n");
  writeFileSync(join(root, "sub", "c.yaml"), "c: 1\n");
  writeFileSync(join(root, ".hidden.toml"), "hidden\n");
  writeFileSync(join(root, ".git", "config"), "git\n");
  writeFileSync(join(outside, "secret.txt"), `${secret}\n`);
  symlinkSync(join(root, "a.toml"), join(root, "alias.toml"));
  symlinkSync(join(outside, "secret.txt"), join(root, "escape.toml"));
  symlinkSync(outside, join(root, "outdir"));
  symlinkSync(root, join(root, "sub", "loop"));
});
afterAll(async () => {
  store.close();
  cache.remove();
  rmSync(folder, { recursive: true, force: true });
});

function app(over: Partial<FlowlordDeps> = {}, read: MiddlewareHandler = pass) {
  const hono = new Hono();
  mountFlowlord(
    hono,
    {
      recap: (day) => recapOn(store.db, day),
      workflowRoot: () => root,
      now: () => new Date("2024-01-15T12:00:00Z"),
      ...over,
    },
    read,
    read,
  );
  return hono;
}

/** The `error` of a JSON error answer. */
async function errorOf(res: Response): Promise<string> {
  return ((await res.json()) as { error: string }).error;
}

describe("/recap", () => {
  it("answers flowlord's JSON to Accept: application/json, for today (UTC) by default", async () => {
    const res = await app().request("/recap", { headers: { Accept: "application/json" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      "extract:daily": {
        min: "1.5s",
        max: "1m30s",
        avg: "45.75s",
        complete: { Count: 2, Times: "2024/01/15T00-2024/01/15T01" },
        error: { Count: 1, Times: "2024/01/15T05" },
      },
      load: {
        min: "1m",
        max: "1m",
        avg: "1m",
        complete: { Count: 1, Times: "2024/01/15T03" },
        error: { Count: 0, Times: "" },
      },
    });
  });

  it("answers flowlord's text otherwise, with Go's durations and no line for a count of 0", async () => {
    const res = await app().request("/recap?date=2024-01-15");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await res.text()).toBe(
      "extract:daily\n\tmin: 1.5s max: 1m30s avg: 45.75s\n\tComplete: 2 2024/01/15T00-2024/01/15T01\n" +
        "\tError: 1 2024/01/15T05\n" +
        "load\n\tmin: 1m0s max: 1m0s avg: 1m0s\n\tComplete: 1 2024/01/15T03\n",
    );
  });

  it("takes ?date=, is empty for a day without tasks, and refuses what is not a day", async () => {
    const json = { headers: { Accept: "application/json" } };
    expect(await (await app().request("/recap?date=2024-01-16", json)).json()).toEqual({});
    expect(await (await app().request("/recap?date=2024-01-16")).text()).toBe("");
    const bad = await app().request("/recap?date=someday");
    expect(bad.status).toBe(400);
    expect(await errorOf(bad)).toMatch(/someday/);
  });
});

describe("/notify", () => {
  it("sends the OK message and answers an empty 200", async () => {
    let sent = 0;
    const res = await app({ notify: async () => void sent++ }).request("/notify");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
    expect(sent).toBe(1);
  });

  it("answers a 500 without Slack's error text when Slack refuses (the app's error handler logs it)", async () => {
    const notify = async () => {
      throw new Error('slack: 404 "no_team" at https://hooks.slack.com/services/T0/B0/secret');
    };
    const res = await app({ notify }).request("/notify");
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain("secret");
  });

  it("says Slack is not configured with a 503", async () => {
    const res = await app().request("/notify");
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/Slack is not configured.*slack\.url/);
  });
});

describe("the read middleware", () => {
  it("guards all three endpoints", async () => {
    const deny: MiddlewareHandler = async (c) => c.json({ error: "a token is needed" }, 401);
    let called = 0;
    const guarded = app(
      {
        recap: () => {
          called++;
          return [];
        },
        notify: async () => void called++,
        workflowRoot: () => {
          called++;
          return root;
        },
      },
      deny,
    );
    for (const path of ["/recap", "/notify", "/workflow", "/workflow/a.toml"]) {
      expect((await guarded.request(path)).status).toBe(401);
    }
    expect(called).toBe(0);
  });
});

describe("/workflow", () => {
  it("lists the files under the root, recursively, without hidden files or links leading out", async () => {
    const res = await app().request("/workflow");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await res.text()).toBe("a.toml\nalias.toml\nnotes.txt\nsub/b.json\nsub/c.yaml\n");
    expect(await (await app().request("/workflow/")).text()).toBe(
      "a.toml\nalias.toml\nnotes.txt\nsub/b.json\nsub/c.yaml\n",
    );
  });

  it("lists a subdirectory with paths relative to the root, following a link back up the tree once", async () => {
    // sub/loop leads to the root: its files are listed once under that name, and sub (seen already) is not again.
    expect(await (await app().request("/workflow/sub")).text()).toBe(
      "sub/b.json\nsub/c.yaml\nsub/loop/a.toml\nsub/loop/alias.toml\nsub/loop/notes.txt\n",
    );
  });

  it("serves a file's content with its type by extension", async () => {
    const cases: [string, RegExp, string][] = [
      ["/workflow/a.toml", /^application\/toml/, '[[phase]]\ntask = "a"\n'],
      ["/workflow/alias.toml", /^application\/toml/, '[[phase]]\ntask = "a"\n'],
      ["/workflow/sub/b.json", /^application\/json/, "{}\n"],
      ["/workflow/sub/c.yaml", /^text\/x-yaml/, "c: 1\n"],
      ["/workflow/notes.txt", /^text\/plain/, "notes\n"],
    ];
    for (const [path, type, body] of cases) {
      const res = await app().request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type"), path).toMatch(type);
      expect(await res.text(), path).toBe(body);
    }
  });

  it("answers 404 naming the path for a missing file", async () => {
    const res = await app().request("/workflow/sub/nope.toml");
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatch(/\/workflow\/sub\/nope\.toml: no such/);
  });

  it("refuses every way out of the root with a 404, showing nothing from outside", async () => {
    // The URL parser drops `..` and `%2e%2e` segments before routing (the app's 404 answers those); whatever
    // reaches the handler is checked again, as the direct test of workflowSegments below shows.
    const attempts = [
      "/workflow/../etc/passwd",
      "/workflow/%2e%2e/x",
      "/workflow/..%2fx",
      "/workflow/..%2foutside%2fsecret.txt",
      "/workflow/sub/..%2F..%2F..%2Foutside/secret.txt",
      "/workflow/%2Fetc%2Fpasswd",
      "/workflow//etc/passwd",
      "/workflow/..%5coutside%5csecret.txt",
      "/workflow/a.toml%00.txt",
      "/workflow/%zz",
      "/workflow/escape.toml",
      "/workflow/outdir/secret.txt",
      "/workflow/outdir",
      "/workflow/.hidden.toml",
      "/workflow/.git/config",
    ];
    for (const path of attempts) {
      const res = await app().request(path);
      const body = await res.text();
      expect(res.status, path).toBe(404);
      expect(body, path).not.toContain(secret);
      expect(body, path).not.toContain("root:");
    }
    const refused = await app().request("/workflow/..%2foutside%2fsecret.txt");
    expect(await errorOf(refused)).toMatch(/\/workflow\/\.\.%2foutside%2fsecret\.txt: refused/);
    const link = await app().request("/workflow/escape.toml");
    expect(await errorOf(link)).toMatch(/escape\.toml: refused, it leads out of the workflow root/);
  });

  it("checks raw paths segment by segment, decoded", () => {
    expect(workflowSegments("sub/b.json")).toEqual({ segments: ["sub", "b.json"] });
    expect(workflowSegments("/sub//b%20c.json/")).toEqual({ segments: ["sub", "b c.json"] });
    for (const raw of [
      "../etc/passwd",
      "%2e%2e/x",
      "%2E./x",
      "a/./b",
      "..%2fx",
      "a%5cb",
      "a%00",
      "%e0%a4%a",
      ".env",
    ]) {
      expect(workflowSegments(raw), raw).toHaveProperty("refused");
    }
  });

  it("serves the one file in single-file mode, whatever the path", async () => {
    const single = app({ workflowRoot: () => join(root, "a.toml") });
    for (const path of ["/workflow", "/workflow/other.toml"]) {
      const res = await single.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type"), path).toMatch(/^application\/toml/);
      expect(await res.text(), path).toBe('[[phase]]\ntask = "a"\n');
    }
    expect((await single.request("/workflow/..%2fx")).status).toBe(404);
  });

  it("answers 404 when the workflow root itself is missing", async () => {
    const res = await app({ workflowRoot: () => join(folder, "gone") }).request("/workflow");
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatch(/gone/);
  });
});
