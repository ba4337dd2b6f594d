// The engine process's proxy to the history process, over real sockets: method, path, headers and body passed on,
// X-Forwarded-* set, an event stream passed through as it is written, and the 503 while the history is down.
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type HistoryTarget, historyProxy } from "../../cmd/taskmaster/proxy.ts";

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** A stand-in for the history: echoes what it got, and streams events on /events until told to stop. */
async function history(): Promise<{ port: number; send(line: string): void }> {
  const streams: ((line: string) => void)[] = [];
  const port = await listen(
    createServer((req, res) => {
      if (req.url === "/api/v1/live") {
        res.writeHead(200, { "Content-Type": "text/event-stream" });
        res.flushHeaders();
        streams.push((line) => res.write(`data: ${line}\n\n`));
        return;
      }
      let body = "";
      req.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on("end", () => {
        res.writeHead(201, { "Content-Type": "application/json", "X-From": "history" });
        res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
      });
    }),
  );
  return {
    port,
    send(line) {
      for (const write of streams) write(line);
    },
  };
}

async function front(target: () => HistoryTarget): Promise<string> {
  const proxy = historyProxy(target);
  const port = await listen(createServer(proxy.handle));
  servers.at(-1)?.on("close", () => proxy.close());
  return `http://127.0.0.1:${port}`;
}

describe("the proxy to the history process", () => {
  it("passes the method, path, headers and body on, and the answer back", async () => {
    const h = await history();
    const base = await front(() => ({ port: h.port }));
    // Through node's client: fetch does not let a Host header be set.
    const res = await new Promise<{ status: number; from: string; text: string }>((resolve, reject) => {
      const req = request(
        `${base}/api/v1/backload?x=1`,
        {
          method: "POST",
          headers: {
            Authorization: "Bearer abc",
            "Content-Type": "application/json",
            Host: "taskmaster.example:8080",
          },
        },
        (answer) => {
          let text = "";
          answer.on("data", (chunk: Buffer) => {
            text += chunk.toString();
          });
          answer.on("end", () =>
            resolve({ status: answer.statusCode ?? 0, from: String(answer.headers["x-from"]), text }),
          );
        },
      );
      req.on("error", reject);
      req.end('{"Task":"a"}');
    });
    expect(res.status).toBe(201);
    expect(res.from).toBe("history");
    const seen = JSON.parse(res.text) as {
      method: string;
      url: string;
      body: string;
      headers: Record<string, string>;
    };
    expect(seen).toMatchObject({ method: "POST", url: "/api/v1/backload?x=1", body: '{"Task":"a"}' });
    expect(seen.headers).toMatchObject({
      authorization: "Bearer abc",
      host: "taskmaster.example:8080",
      "x-forwarded-host": "taskmaster.example:8080",
      "x-forwarded-for": "127.0.0.1",
      "x-forwarded-proto": "http",
    });
  });

  it("passes an event stream through as it is written", async () => {
    const h = await history();
    const base = await front(() => ({ port: h.port }));
    const abort = new AbortController();
    const res = await fetch(`${base}/api/v1/live`, { signal: abort.signal });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    h.send("first");
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("data: first\n\n");
    h.send("second");
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("data: second\n\n");
    abort.abort();
  });

  it("answers 503 while the history is down: JSON under /api/, a page elsewhere", async () => {
    const why = "the history process is restarting (attempt 2): killed by SIGKILL";
    const base = await front(() => ({ down: why }));
    const api = await fetch(`${base}/api/v1/tasks`);
    expect(api.status).toBe(503);
    expect(api.headers.get("retry-after")).toBe("5");
    expect(await api.json()).toEqual({ error: why });
    const page = await fetch(`${base}/web/tasks`);
    expect(page.status).toBe(503);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain(why);
  });

  it("answers 503 when the history's port does not answer", async () => {
    const closed = await listen(createServer());
    const s = servers.pop();
    await new Promise((resolve) => s?.close(resolve));
    const base = await front(() => ({ port: closed }));
    const res = await fetch(`${base}/api/v1/tasks`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toMatch(/^the history process did not answer: /);
  });
});
