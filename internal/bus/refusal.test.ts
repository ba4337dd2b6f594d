import { errors } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { isPermanentPublishThrow, isPermanentStreamError, PublishRefusedError } from "./refusal.ts";

describe("isPermanentStreamError", () => {
  it.each([
    [400, 10054, "message size exceeds maximum allowed"],
    [400, 10097, "header size exceeds maximum allowed of 64k"],
    [400, 10109, "invalid operation on sealed stream"],
    [400, 10060, "expected stream does not match"],
    [400, 10070, "wrong last msg ID"],
    [400, 10071, "wrong last sequence"],
    [400, 10164, "wrong last sequence"],
    [400, 10165, "invalid per-message TTL"],
    [400, 10166, "per-message TTL is disabled"],
    [412, 10180, "min last sequence"],
    [400, undefined, "a 400 with no JetStream code"],
  ])("%i %s is for good (%s)", (code, errCode, _what) => {
    expect(isPermanentStreamError(code, errCode)).toBe(true);
  });

  it.each([
    [503, 10077, "maximum messages exceeded (a full stream that discards new)"],
    [503, 10023, "insufficient resources"],
    [503, 10008, "JetStream system temporarily unavailable"],
    [500, 10118, "stream is offline"],
    [500, 10047, "insufficient storage resources available"],
    [500, 10051, "a general stream failure"],
    [409, 10158, "duplicate message id is in process"],
    [429, 10167, "too many requests"],
    [400, 10002, "resource limits exceeded for account"],
    [400, 10124, "stream move already in progress"],
    [400, 10202, "cluster member change is in progress"],
    [undefined, undefined, "an error without a status"],
  ])("%s %s passes (%s)", (code, errCode, _what) => {
    expect(isPermanentStreamError(code, errCode)).toBe(false);
  });
});

describe("isPermanentPublishThrow", () => {
  it("is for good when the payload is over max_payload or the subject is not one", () => {
    expect(
      isPermanentPublishThrow(errors.InvalidArgumentError.format("payload", "max_payload size exceeded")),
    ).toBe(true);
    expect(isPermanentPublishThrow(new errors.InvalidSubjectError(""))).toBe(true);
    expect(isPermanentPublishThrow(new TypeError("payload types can be strings or Uint8Array"))).toBe(true);
  });

  it("passes when the connection is closed, draining or anything else", () => {
    expect(isPermanentPublishThrow(new errors.ClosedConnectionError())).toBe(false);
    expect(isPermanentPublishThrow(new errors.DrainingConnectionError())).toBe(false);
    expect(isPermanentPublishThrow("not an error")).toBe(false);
  });
});

describe("PublishRefusedError", () => {
  it("says where and why, and keeps the cause", () => {
    const cause = new Error("max_payload size exceeded");
    const err = new PublishRefusedError("tasks.big", "over max_payload", { cause });
    expect(err).toMatchObject({ name: "PublishRefusedError", subject: "tasks.big", cause });
    expect(err.message).toBe("publish to tasks.big refused for good: over max_payload");
  });
});
