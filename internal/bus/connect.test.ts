import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { connectionOptions, NatsUrlError, serverList } from "./connect.ts";

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

describe("serverList", () => {
  it("takes user and password out of the URLs, decoded, and gives the servers without them", () => {
    expect(serverList("nats://svc:p%40ss%3Aw@a:4222, nats://svc:p%40ss%3Aw@b:4222,c:4222")).toEqual({
      servers: ["nats://a:4222", "nats://b:4222", "c:4222"],
      user: "svc",
      pass: "p@ss:w",
    });
  });

  it("reads a lone user as a token, as the Go client does", () => {
    expect(serverList("tls://s3cr3t@n:4222")).toEqual({ servers: ["tls://n:4222"], token: "s3cr3t" });
  });

  it("leaves URLs without credentials as they are", () => {
    expect(serverList("nats://a:4222,b")).toEqual({ servers: ["nats://a:4222", "b"] });
  });

  it("refuses URLs that carry different credentials: the client has one set for all servers", () => {
    expect(() => serverList("nats://u:one@a:4222,nats://u:two@b:4222")).toThrow(NatsUrlError);
  });
});

describe("connectionOptions with credentials in the URL", () => {
  it("gives the client the URL's user and password and servers without them", () => {
    const o = connectionOptions({ url: "nats://svc:pw@a:4222", name: "t" });
    expect(o).toMatchObject({ servers: ["nats://a:4222"], user: "svc", pass: "pw" });
  });

  it("uses the keys when they are set", () => {
    const o = connectionOptions({ url: "nats://svc:pw@a:4222", name: "t", user: "key", pass: "kp" });
    expect(o).toMatchObject({ servers: ["nats://a:4222"], user: "key", pass: "kp" });
  });
});
