/** Hiding secret values and URL passwords in text and in parsed log records. */
import { describe, expect, it } from "vitest";
import { createScrubber } from "./scrub.ts";

describe("createScrubber", () => {
  const scrub = createScrubber(["hunter2", "hunter2-long", "", 'qu"ote']);

  it("hides every secret, the longest first", () => {
    expect(scrub.text("a hunter2 b hunter2-long c")).toBe("a *** b *** c");
  });

  it("hides the password of a URL, known or not, and leaves a lone user", () => {
    expect(scrub.text("nats://bob:pw@h:4222 and https://u:x@web git@github.com ssh://git@host")).toBe(
      "nats://bob:***@h:4222 and https://u:***@web git@github.com ssh://git@host",
    );
  });

  it("scrubs every string in a record, however deep", () => {
    expect(scrub.value({ a: ["hunter2"], b: { c: { d: "x hunter2" } }, n: 1, t: true, z: null })).toEqual({
      a: ["***"],
      b: { c: { d: "x ***" } },
      n: 1,
      t: true,
      z: null,
    });
  });

  it("spots a secret in a JSON line, escaped or not", () => {
    expect(scrub.mayHold('{"msg":"hunter2"}')).toBe(true);
    expect(scrub.mayHold(JSON.stringify({ msg: 'qu"ote' }))).toBe(true);
    expect(scrub.mayHold('{"url":"nats://a:b@h"}')).toBe(true);
    expect(scrub.mayHold('{"msg":"clean"}')).toBe(false);
    expect(createScrubber([]).mayHold('{"msg":"clean"}')).toBe(false);
  });

  it("ignores a blank secret: spaces and tabs stay as they are", () => {
    const blank = createScrubber([" ", "\t", "  ", "hunter2"]);
    expect(blank.text("a b\tc  d hunter2")).toBe("a b\tc  d ***");
    expect(blank.value({ note: "two words" })).toEqual({ note: "two words" });
    expect(blank.mayHold('{"msg":"two words"}')).toBe(false);
  });
});
