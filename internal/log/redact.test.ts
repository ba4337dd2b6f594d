/** Fields named like secrets, hidden wherever they sit up to three tables deep, without touching the caller's. */
import { describe, expect, it } from "vitest";
import { redactFields } from "./redact.ts";

describe("redactFields", () => {
  it("hides fields named like secrets at the top and up to three tables below it", () => {
    const fields = {
      token: "t0",
      nats: { pass: "p1", url: "nats://x" },
      a: { b: { apiKey: "k2" } },
      c: { d: { e: { authorization: "a3" } } },
      f: { g: { h: { i: { password: "too-deep" } } } },
    };
    expect(redactFields(fields)).toEqual({
      token: "***",
      nats: { pass: "***", url: "nats://x" },
      a: { b: { apiKey: "***" } },
      c: { d: { e: { authorization: "***" } } },
      f: { g: { h: { i: { password: "too-deep" } } } },
    });
  });

  it("hides a Slack table's url, and only that url", () => {
    expect(
      redactFields({ slack: { url: "https://hooks", channel: "#ops" }, link: { url: "https://ok" } }),
    ).toEqual({
      slack: { url: "***", channel: "#ops" },
      link: { url: "https://ok" },
    });
    expect(redactFields({ config: { slack: { url: "https://hooks" } } })).toEqual({
      config: { slack: { url: "***" } },
    });
  });

  it("looks into arrays as a table level", () => {
    expect(redactFields({ servers: [{ user: "u", pass: "p" }, "plain"] })).toEqual({
      servers: [{ user: "u", pass: "***" }, "plain"],
    });
  });

  it("leaves the caller's objects as they were, and returns them as they are when nothing is hidden", () => {
    const nested = { pass: "p" };
    const fields = { nats: nested, n: 1 };
    const redacted = redactFields(fields);
    expect(redacted).toEqual({ nats: { pass: "***" }, n: 1 });
    expect(fields.nats.pass).toBe("p");
    const clean = { path: "/in/a.csv", tasks: ["load 1"], at: new Date(0) };
    expect(redactFields(clean)).toBe(clean);
  });

  it("hides an error's own field named like a secret, keeping its message and stack", () => {
    const error = Object.assign(new Error("denied"), { token: "t", code: "E_AUTH" });
    const redacted = redactFields({ err: error }) as { err: Record<string, unknown> };
    expect(redacted.err).toMatchObject({ type: "Error", message: "denied", code: "E_AUTH", token: "***" });
    expect(String(redacted.err.stack)).toContain("denied");
    expect(error.token).toBe("t");
  });

  it("does not look into buffers, dates or maps", () => {
    const fields = { data: Buffer.from("token"), at: new Date(0), seen: new Map([["token", "x"]]) };
    expect(redactFields(fields)).toBe(fields);
  });
});
