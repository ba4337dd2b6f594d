/** The logger end to end, written to memory: secrets never reach a line; levels and formats. */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, type LoggerOptions } from "./logger.ts";

function capture(options: Omit<LoggerOptions, "destination">) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger({ ...options, destination }), output: () => lines.join("") };
}

const secret = "s3cr3t-Value";

describe.each(["json", "pretty"] as const)("createLogger, %s", (format) => {
  it("hides a secret in the message", () => {
    const { log, output } = capture({ level: "info", format, secrets: [secret] });
    log.info(`connecting with ${secret}`);
    expect(output()).toContain("connecting with ***");
    expect(output()).not.toContain(secret);
  });

  it("hides a secret in an error's message and stack", () => {
    const { log, output } = capture({ level: "info", format, secrets: [secret] });
    log.error(new Error(`auth failed for ${secret}`), "connect failed");
    log.warn({ error: new Error(`again ${secret}`) }, "retrying");
    expect(output()).toContain("auth failed for ***");
    expect(output()).not.toContain(secret);
  });

  it("hides a secret in a nested field, and fields named like secrets", () => {
    const { log, output } = capture({ level: "info", format, secrets: [secret] });
    log.info({ request: { headers: { note: `Bearer ${secret}` } }, items: [secret] }, "nested");
    log.info(
      { config: { nats: { pass: "unlisted-pass" } }, token: "unlisted-token", slack: { url: "https://x" } },
      "named",
    );
    expect(output()).not.toContain(secret);
    expect(output()).not.toContain("unlisted-pass");
    expect(output()).not.toContain("unlisted-token");
    expect(output()).not.toContain("https://x");
  });

  it("hides the password of a URL with credentials", () => {
    const { log, output } = capture({ level: "info", format });
    log.info({ url: "nats://bob:pa55word@nats:4222" }, "connecting to nats://bob:pa55word@nats:4222");
    expect(output()).toContain("nats://bob:***@nats:4222");
    expect(output()).not.toContain("pa55word");
  });

  it("hides a secret from a child logger's bindings", () => {
    const { log, output } = capture({ level: "info", format, secrets: [secret] });
    log.child({ connection: secret }).info("child");
    expect(output()).not.toContain(secret);
  });

  it("hides fields named like secrets in a child logger's bindings and in an error's own fields", () => {
    const { log, output } = capture({ level: "info", format });
    log.child({ nats: { token: "binding-token" } }).info("child");
    log.error(Object.assign(new Error("denied"), { password: "error-password" }), "connect failed");
    expect(output()).not.toContain("binding-token");
    expect(output()).not.toContain("error-password");
    expect(output()).toContain("denied");
  });

  it("leaves the spaces of a line alone when a secret is blank", () => {
    const { log, output } = capture({ level: "info", format, secrets: [" ", "\t", secret] });
    log.info({ note: "two words" }, `three words here ${secret}`);
    expect(output()).toContain("three words here ***");
    expect(output()).toContain("two words");
  });

  it("writes only events at or above the level", () => {
    const { log, output } = capture({ level: "warn", format });
    log.debug("not shown");
    log.info("not shown either");
    log.warn("shown");
    log.error("also shown");
    expect(output()).not.toContain("not shown");
    expect(output().trim().split("\n")).toHaveLength(2);
  });

  it("writes nothing at silent", () => {
    const { log, output } = capture({ level: "silent", format });
    log.fatal("nothing");
    expect(output()).toBe("");
  });
});

describe("formats", () => {
  it("json is pino's own line, untouched when it holds no secret", () => {
    const { log, output } = capture({ level: "info", format: "json", secrets: [secret] });
    log.info({ subject: "tasks.load" }, "published");
    const record = JSON.parse(output());
    expect(record).toMatchObject({ level: 30, msg: "published", subject: "tasks.load" });
    expect(typeof record.time).toBe("number");
    expect(record).toHaveProperty("pid");
  });

  it("json stays valid JSON when a secret is scrubbed", () => {
    const { log, output } = capture({ level: "info", format: "json", secrets: ['with "quotes" \\ too'] });
    log.info({ detail: 'x with "quotes" \\ too' }, "scrubbed");
    expect(JSON.parse(output())).toMatchObject({ detail: "x ***", msg: "scrubbed" });
  });

  it("pretty is one line per event: time, level, message, fields", () => {
    const { log, output } = capture({ level: "debug", format: "pretty" });
    log.debug({ subject: "tasks.load", attempt: 2 }, "published");
    log.info("second");
    const lines = output().split("\n");
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} DEBUG published subject=tasks\.load attempt=2$/);
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}second$/);
    expect(lines[2]).toBe("");
  });
});
