import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { clientAddress } from "./client.ts";

const app = new Hono().get("/", (c) => c.text(clientAddress(c)));
const from = async (remoteAddress: string, forwarded?: string) => {
  const init = forwarded ? { headers: { "X-Forwarded-For": forwarded } } : {};
  const answer = await app.request("/", init, { incoming: { socket: { remoteAddress } } });
  return answer.text();
};

describe("the client's address", () => {
  it("is the socket's peer, whatever a remote client says it forwards", async () => {
    expect(await from("203.0.113.9")).toBe("203.0.113.9");
    expect(await from("203.0.113.9", "10.0.0.1")).toBe("203.0.113.9");
  });

  it("behind a proxy on loopback is the address the proxy added last, not one the client wrote before it", async () => {
    expect(await from("127.0.0.1", "198.51.100.7")).toBe("198.51.100.7");
    expect(await from("::ffff:127.0.0.1", "6.6.6.6, 198.51.100.7")).toBe("198.51.100.7");
    expect(await from("127.0.0.1")).toBe("127.0.0.1");
  });
});
