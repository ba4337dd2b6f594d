import { describe, expect, it } from "vitest";
import { problemOf } from "./firstconnect.ts";

/** An error as Node or the client makes it: a name, a message, a system code, a cause. */
function failure(name: string, message: string, code?: string, cause?: unknown): Error {
  const err = new Error(message, cause === undefined ? undefined : { cause });
  err.name = name;
  if (code) Object.assign(err, { code });
  return err;
}

describe("problemOf", () => {
  it.each([
    [
      "the client's authorization error",
      failure("AuthorizationError", "Authorization Violation"),
      "authorization",
    ],
    [
      "an expired user",
      failure("UserAuthenticationExpiredError", "User Authentication Expired"),
      "authorization",
    ],
    [
      "a certificate Node does not trust",
      failure("Error", "self-signed certificate", "DEPTH_ZERO_SELF_SIGNED_CERT"),
      "tls",
    ],
    [
      "a host name the certificate lacks",
      failure("Error", "Hostname/IP does not match", "ERR_TLS_CERT_ALTNAME_INVALID"),
      "tls",
    ],
    ["a server without TLS", failure("ConnectionError", "server does not support 'tls'"), "tls"],
    [
      "a refused connection",
      failure(
        "ConnectionError",
        "connection refused",
        undefined,
        failure("Error", "connect ECONNREFUSED", "ECONNREFUSED"),
      ),
      "unreachable",
    ],
    ["an unknown host", failure("Error", "getaddrinfo ENOTFOUND nats.invalid", "ENOTFOUND"), "unreachable"],
    ["a server that does not answer in time", failure("TimeoutError", "timeout"), "unreachable"],
    [
      "a credentials file that is missing",
      failure("Error", "ENOENT: no such file or directory", "ENOENT"),
      "other",
    ],
  ])("sorts %s", (_, err, problem) => {
    expect(problemOf(err)).toBe(problem);
  });
});
