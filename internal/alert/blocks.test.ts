import { describe, expect, it } from "vitest";
import { slackRefusal } from "../../test/helpers/slack.ts";
import {
  cutMrkdwn,
  escapeCut,
  paginate,
  plainCut,
  plainVersion,
  sectionPiece,
  slackLimits,
  textChars,
} from "./blocks.ts";

/** A high surrogate not followed by a low one, or a low one not after a high one: half a character. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** What is left of an escape cut through: `&` not starting a whole `&amp;`, `&lt;` or `&gt;`. */
const brokenEscape = /&(?!amp;|lt;|gt;)/;

describe("cutting text to Slack's limits", () => {
  it("escapes, then cuts to the limit counted after escaping, at a whole escape", () => {
    for (const [raw, entity] of [
      ["&", "&amp;"],
      ["<", "&lt;"],
      [">", "&gt;"],
    ] as const) {
      const cut = escapeCut(raw.repeat(100_000), 3000);
      expect(cut.length).toBeLessThanOrEqual(3000);
      expect(cut.length).toBeGreaterThan(3000 - entity.length - 1);
      expect(cut.slice(0, -1)).toBe(entity.repeat((cut.length - 1) / entity.length));
      expect(cut.at(-1)).toBe("…");
    }
    expect(escapeCut("a<b", 10)).toBe("a&lt;b");
  });

  it("never cuts a surrogate pair", () => {
    for (const max of [2999, 3000]) {
      const cut = escapeCut("😀".repeat(5_000), max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(cut).not.toMatch(loneSurrogate);
    }
  });

  it("cuts escaped mrkdwn at every length without breaking an escape or a pair", () => {
    const text = `${"a&amp;😀&lt;b&gt;".repeat(40)}`;
    for (let max = 2; max < text.length; max++) {
      const cut = cutMrkdwn(text, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(cut).not.toMatch(brokenEscape);
      expect(cut).not.toMatch(loneSurrogate);
      expect(text.startsWith(cut.slice(0, -1))).toBe(true);
    }
    expect(cutMrkdwn("short", 5)).toBe("short");
  });

  it("cuts plain text (a header) so that it fits even counted escaped, keeping its characters", () => {
    const cut = plainCut("<".repeat(10_000), slackLimits.headerText);
    expect(cut).toMatch(/^<+…$/);
    expect(cut.replaceAll("<", "&lt;").length).toBeLessThanOrEqual(slackLimits.headerText);
    expect(plainCut("a < b", 150)).toBe("a < b");
  });
});

describe("paginate", () => {
  it("splits sections over messages of at most 50 blocks, numbering the headers", () => {
    const pieces = Array.from({ length: 120 }, (_, i) => sectionPiece(`*phase ${i}*`));
    const messages = paginate("Taskmaster: 120 alerts", pieces);
    expect(messages.map((m) => m.blocks?.length)).toEqual([50, 50, 23]);
    expect(messages.map((m) => m.text.split("\n")[0])).toEqual([
      "Taskmaster: 120 alerts (1/3)",
      "Taskmaster: 120 alerts (2/3)",
      "Taskmaster: 120 alerts (3/3)",
    ]);
    for (const m of messages) expect(slackRefusal(JSON.stringify(m))).toBeNull();
    expect(messages.at(-1)?.text).toContain("*phase 119*");
  });

  it("splits before the blocks of a message hold too many characters in all", () => {
    const pieces = Array.from({ length: 12 }, (_, i) => sectionPiece(`${i} ${"x".repeat(2_900)}`));
    const messages = paginate("digest", pieces);
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) {
      expect(slackRefusal(JSON.stringify(m))).toBeNull();
      expect(m.text.length).toBeLessThanOrEqual(textChars);
    }
  });

  it("keeps one message without a number", () => {
    const [only, ...rest] = paginate("digest", [sectionPiece("one")]);
    expect(rest).toEqual([]);
    expect(only?.blocks?.[0]).toEqual({ type: "header", text: { type: "plain_text", text: "digest" } });
  });
});

describe("plainVersion", () => {
  it("is the text alone, cut to a safe size and saying so", () => {
    const long = { text: "&amp;".repeat(10_000), blocks: [{ type: "divider" }] };
    const plain = plainVersion(long);
    expect(plain?.blocks).toBeUndefined();
    expect(plain?.text.length).toBeLessThanOrEqual(textChars);
    expect(plain?.text).toMatch(/^(&amp;)+…\n\(cut, and sent as plain text: Slack refused the full message/);
    expect(plainVersion({ text: "hi", blocks: [{ type: "divider" }] })).toEqual({
      text: "hi\n(sent as plain text: Slack refused the formatted message)",
    });
  });

  it("is null for a short plain message: there is nothing plainer to send", () => {
    expect(plainVersion({ text: "hi" })).toBeNull();
    expect(plainVersion({ text: "" })).toBeNull();
  });
});
