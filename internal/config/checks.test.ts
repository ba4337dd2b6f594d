/** The checks on string settings. */
import { describe, expect, it } from "vitest";
import {
  checkHostNames,
  checkListen,
  checkNatsUrls,
  checkOptionalHttpUrl,
  checkStreamName,
  checkSubject,
  checkSubjectPrefix,
  formatListen,
  parseListen,
} from "./checks.ts";

describe("checkNatsUrls", () => {
  it.each([
    "nats://127.0.0.1:4222",
    "tls://nats.example:4222",
    "ws://h:80",
    "wss://h",
    "nats://u:p@h:4222",
    "nats://[::1]:4222",
    "nats://a:4222, nats://b:4222",
    "nats://u:p@a:4222, nats://u:p@b:4222, nats://c:4222",
  ])("accepts %s", (url) => {
    expect(checkNatsUrls(url)).toBeUndefined();
  });

  it.each([
    ["http://h:4222", /scheme must be nats:\/\//],
    ["127.0.0.1:4222", /is not a NATS URL|is not a URL/],
    ["nats://", /names no host/],
    ["nats://a:4222,", /empty entry/],
    ["", /empty entry/],
  ])("refuses %j", (url, message) => {
    expect(checkNatsUrls(url)).toMatch(message);
  });

  it("refuses URLs that carry different credentials: the client has one set for all servers", () => {
    expect(checkNatsUrls("nats://u:one@a:4222,nats://u:two@b:4222")).toMatch(/different credentials/);
  });

  it("names a wrong URL with its password hidden", () => {
    const problem = checkNatsUrls("http://svc:s3cret@h:4222");
    expect(problem).toContain('"http://svc:***@h:4222" is not a NATS URL');
    expect(problem).not.toContain("s3cret");
  });
});

describe("checkListen", () => {
  it.each(["127.0.0.1:8080", ":8080", "localhost:0", "[::1]:8080", "0.0.0.0:65535"])(
    "accepts %s",
    (address) => {
      expect(checkListen(address)).toBeUndefined();
    },
  );

  it.each(["8080", "host", "h:65536", "h:port", "a b:80", "::1:80", "[::1]8080", "[h]:80"])(
    "refuses %j",
    (address) => {
      expect(checkListen(address)).toMatch(/^expected host:port/);
    },
  );

  it("asks for brackets around an IPv6 address", () => {
    expect(checkListen("::1:8080")).toBe(
      'expected host:port, got "::1:8080": write an IPv6 address in brackets, such as [::1]:8080',
    );
  });
});

describe("parseListen", () => {
  it.each([
    ["127.0.0.1:8080", { host: "127.0.0.1", port: 8080 }],
    ["localhost:0", { host: "localhost", port: 0 }],
    ["[::1]:8080", { host: "::1", port: 8080 }],
    ["[::]:80", { host: "::", port: 80 }],
    [":8080", { host: "", port: 8080 }],
  ])("reads %s as host and port", (text, address) => {
    expect(parseListen(text)).toEqual(address);
  });

  it("says what is wrong with an address it cannot read", () => {
    expect(parseListen("h:65536")).toBe(
      'expected host:port such as 127.0.0.1:8080, [::1]:8080 or :8080 (every interface), got "h:65536"',
    );
  });

  it.each(["127.0.0.1:8080", "[::1]:9000", ":1", "localhost:0"])("writes %s back as it was", (text) => {
    const address = parseListen(text);
    expect(typeof address === "string" ? address : formatListen(address)).toBe(text);
  });
});

describe("checkHostNames", () => {
  it("accepts names, a list of them, or none", () => {
    for (const text of [
      "",
      "taskmaster.example.com",
      "tm, tm.ns.svc.cluster.local",
      "my_host",
      "example.com.",
    ])
      expect(checkHostNames(text), text).toBeUndefined();
  });

  it("refuses a URL, a port or an empty entry, naming the entry", () => {
    expect(checkHostNames("https://tm.example.com")).toBe(
      '"https://tm.example.com" is not a host name: write the name alone (taskmaster.example.com), without scheme, port or path',
    );
    expect(checkHostNames("tm.example.com:8080")).toMatch(/^"tm\.example\.com:8080" is not a host name/);
    expect(checkHostNames("a,,b")).toBe(
      'expected host names such as taskmaster.example.com, got an empty entry in "a,,b"',
    );
  });
});

describe("subjects and names", () => {
  it("checks subjects, prefixes and stream names", () => {
    expect(checkSubject("done")).toBeUndefined();
    expect(checkSubject("tasks.done")).toBeUndefined();
    expect(checkSubject("done.*")).toBeDefined();
    expect(checkSubject("a..b")).toBeDefined();
    expect(checkSubject("a b")).toBeDefined();
    expect(checkSubjectPrefix("tasks.")).toBeUndefined();
    expect(checkSubjectPrefix("")).toBeUndefined();
    expect(checkSubjectPrefix(".tasks")).toBeDefined();
    expect(checkStreamName("TASKMASTER_TASKS")).toBeUndefined();
    expect(checkStreamName("a.b")).toBeDefined();
    expect(checkStreamName("")).toBeDefined();
  });

  it("checks web URLs without repeating them", () => {
    expect(checkOptionalHttpUrl("")).toBeUndefined();
    expect(checkOptionalHttpUrl("https://hooks.slack.com/services/x")).toBeUndefined();
    expect(checkOptionalHttpUrl("ftp://secret-host")).toBe("expected an http:// or https:// URL");
  });
});
