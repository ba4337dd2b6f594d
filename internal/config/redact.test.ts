/** Secrets hidden from the dashboard copy of the config, and listed for the logger. */
import { describe, expect, it } from "vitest";
import { configSecrets, hideUrlCredentials, redactConfig } from "./redact.ts";
import { resolveConfig } from "./resolve.ts";

const secrets = {
  TASKMASTER_NATS_PASS: "nats-pass",
  TASKMASTER_NATS_TOKEN: "nats-token",
  TASKMASTER_CACHE_S3_SECRET_KEY: "s3-secret",
  TASKMASTER_SLACK_URL: "https://hooks.slack.com/services/T0/B0/xyz",
  TASKMASTER_HTTP_ADMIN_TOKEN: "admin-token",
  TASKMASTER_HTTP_READ_TOKEN: "read-token",
  TASKMASTER_NATS_URL: "nats://bob:url-pass@a:4222,nats://bob:url-pass@b:4222",
};

describe("redactConfig", () => {
  const { config, problems } = resolveConfig({ env: secrets, flags: [] });

  it("replaces every secret with ***, and keeps the rest", () => {
    expect(problems).toEqual([]);
    const copy = redactConfig(config);
    const json = JSON.stringify(copy);
    for (const value of [
      "nats-pass",
      "nats-token",
      "s3-secret",
      "xyz",
      "admin-token",
      "read-token",
      "url-pass",
    ]) {
      expect(json).not.toContain(value);
    }
    expect(copy).toMatchObject({
      nats: {
        pass: "***",
        token: "***",
        url: "nats://bob:***@a:4222,nats://bob:***@b:4222",
        name: "taskmaster",
      },
      cache: { s3: { secretKey: "***" } },
      slack: { url: "***" },
      http: { adminToken: "***", readToken: "***", listen: "127.0.0.1:8080" },
    });
  });

  it("keeps an unset secret empty, so the page shows it is not set", () => {
    const copy = redactConfig(resolveConfig({ env: {}, flags: [] }).config);
    expect(copy).toMatchObject({ nats: { pass: "" }, slack: { url: "" } });
  });

  it("is plain JSON", () => {
    const copy = redactConfig(config);
    expect(JSON.parse(JSON.stringify(copy))).toEqual(copy);
  });
});

describe("configSecrets", () => {
  it("lists every secret value, with the credentials inside nats.url", () => {
    const { config } = resolveConfig({ env: secrets, flags: [] });
    expect(configSecrets(config).sort()).toEqual(
      [
        "nats-pass",
        "nats-token",
        "s3-secret",
        "https://hooks.slack.com/services/T0/B0/xyz",
        "admin-token",
        "read-token",
        "url-pass",
      ].sort(),
    );
    expect(configSecrets(resolveConfig({ env: {}, flags: [] }).config)).toEqual([]);
  });

  it("leaves out a blank secret (a token set to spaces), which would match every space in the log", () => {
    const env = { TASKMASTER_HTTP_READ_TOKEN: " ", TASKMASTER_NATS_TOKEN: "\t ", TASKMASTER_NATS_PASS: "pw" };
    expect(configSecrets(resolveConfig({ env, flags: [] }).config)).toEqual(["pw"]);
  });

  it("lists a token written in the URL", () => {
    const { config } = resolveConfig({ env: { TASKMASTER_NATS_URL: "nats://url-token@b:4222" }, flags: [] });
    expect(configSecrets(config)).toEqual(["url-token"]);
  });

  it("adds the decoded form of a percent-encoded URL password", () => {
    const { config } = resolveConfig({ env: { TASKMASTER_NATS_URL: "nats://u:p%40ss@h:4222" }, flags: [] });
    expect(configSecrets(config)).toEqual(["p%40ss", "p@ss"]);
  });
});

describe("hideUrlCredentials", () => {
  it.each([
    ["nats://h:4222", "nats://h:4222"],
    ["nats://u:p@h:4222", "nats://u:***@h:4222"],
    ["nats://tok@h", "nats://***@h"],
    ["nats://a:1@h, tls://b:2@k", "nats://a:***@h, tls://b:***@k"],
  ])("%s → %s", (url, hidden) => {
    expect(hideUrlCredentials(url)).toBe(hidden);
  });
});
