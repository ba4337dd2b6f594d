import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { connectionOptions } from "./connect.ts";

describe("connectionOptions", () => {
  it("reconnects forever and notices a frozen server within seconds", () => {
    const o = connectionOptions({ url: "nats://a:4222, nats://b:4222", name: "taskmaster" });
    expect(o).toMatchObject({
      servers: ["nats://a:4222", "nats://b:4222"],
      name: "taskmaster",
      maxReconnectAttempts: -1,
      pingInterval: 1000,
      maxPingOut: 2,
    });
    expect(o.user).toBeUndefined();
    expect(o.authenticator).toBeUndefined();
    expect(o.tls).toBeUndefined();
  });

  it("passes user and password, a token, TLS files, and an nkey seed file as an authenticator", () => {
    const dir = mkdtempSync(join(tmpdir(), "taskmaster-nkey-"));
    const seed = join(dir, "seed.nk");
    writeFileSync(seed, "SUACSSL3UAHUDXKFSNVUZRF5UHPMWZ6BFDTJ7M6USDXIEDNPPQYYYCU3VY\n");
    const o = connectionOptions({
      url: "tls://n:4222",
      name: "t",
      user: "u",
      pass: "p",
      token: "tok",
      nkeySeedFile: seed,
      tlsCa: "/ca.pem",
      tlsCert: "/c.pem",
      tlsKey: "/k.pem",
    });
    expect(o).toMatchObject({ user: "u", pass: "p", token: "tok" });
    expect(o.tls).toEqual({ caFile: "/ca.pem", certFile: "/c.pem", keyFile: "/k.pem" });
    expect(Array.isArray(o.authenticator) && o.authenticator.length).toBe(1);
  });

  it("fails clearly when a credentials file cannot be read", () => {
    expect(() => connectionOptions({ url: "nats://n", name: "t", credsFile: "/no/such.creds" })).toThrow(
      /no such file/,
    );
  });
});
