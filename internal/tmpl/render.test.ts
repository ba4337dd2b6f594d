import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { podName, render, type TemplateEnv } from "./render.ts";

const host = "test-hostname-abcdefghij-12345";
const wall = new Date(Date.UTC(2018, 0, 2, 3, 17, 34));

/** An env whose uuids are distinct and counted, so tests can see how often one was drawn. */
function countingEnv(hostName = host) {
  let calls = 0;
  const env: TemplateEnv = {
    host: hostName,
    newUuid: () => {
      calls += 1;
      return `${calls.toString(16).padStart(8, "a")}-1111-4111-8111-111111111111`;
    },
  };
  return { env, calls: () => calls };
}

const { env } = countingEnv();

describe("render: flowlord TestParse", () => {
  it.each([
    ["{YYYY}", "2018"],
    ["{YY}", "18"],
    ["{MM}", "01"],
    ["{DD}", "02"],
    ["{HH}", "03"],
    ["{min}", "17"],
    ["{YYYY}/{MM}/{DD}/{HH}", "2018/01/02/03"],
    ["{YYYY}/{MM}/{DD}/{HH}/{min}", "2018/01/02/03/17"],
    ["{yyyy}/{mm}/{dd}/{hh}", "2018/01/02/03"],
    ["{SLUG}", "2018/01/02/03"],
    ["{DAY_SLUG}", "2018/01/02"],
    ["", ""],
    ["./file.txt", "./file.txt"],
    ["path/{host}.log", `path/${host}.log`],
    ["path/{POD}.json", "path/abcdefghij-12345.json"],
  ])("%s gives %s", (template, expected) => {
    expect(render(template, wall, env)).toBe(expected);
  });

  it("leaves a template unchanged at the zero time", () => {
    expect(render("./file.txt", null, env)).toBe("./file.txt");
  });

  it("leaves everything after a # alone", () => {
    const may10 = new Date(Date.UTC(2018, 4, 10));
    expect(render("path/{yyyy}/{mm}/{dd}#{yyyy}/{mm}", may10, env)).toBe("path/2018/05/10#{yyyy}/{mm}");
  });

  it("replaces {uuid} with 8 hex characters (TestParseUUID)", () => {
    const real: TemplateEnv = { host, newUuid: () => "3f2504e0-4f89-41d3-9a0c-0305e82c3301" };
    expect(render("path/to/file-{uuid}.json", wall, real)).toMatch(/^path\/to\/file-[0-9a-f]{8}\.json$/);
  });

  it("replaces {HOST} and {host} alike (TestHostSlug)", () => {
    expect(render("{HOST}|{host}|{Host}", wall, env)).toBe(`${host}|${host}|${host}`);
  });
});

describe("render: tokens and case rules", () => {
  it("prints the other slugs and the timestamp", () => {
    expect(render("{HOUR_SLUG}|{MONTH_SLUG}", wall, env)).toBe("2018/01/02/03|2018/01");
    expect(render("{TS}|{ts}", wall, env)).toBe("20180102T031734|20180102T031734");
  });

  it("accepts any mix of case for the date parts", () => {
    expect(render("{Yyyy}-{yY}-{mM}-{Dd}-{hH}", wall, env)).toBe("2018-18-01-02-03");
  });

  it("keeps flowlord's single-case tokens single-case", () => {
    const kept = "{slug}{Slug}{day_slug}{hour_slug}{month_slug}{Ts}{MIN}{Min}{UUID}{Uuid}";
    expect(render(kept, wall, env)).toBe(kept);
  });

  it("matches {POD} in any case, and only whole tokens", () => {
    expect(render("{pod}{Pod}", wall, env)).toBe("abcdefghij-12345abcdefghij-12345");
    expect(render("{YYY}{YYYYY}{M}{ HH}{HH }{mins}", wall, env)).toBe("{YYY}{YYYYY}{M}{ HH}{HH }{mins}");
  });

  it("pads years before 1000 and prints the last two digits for {YY}", () => {
    const early = new Date(0);
    early.setUTCFullYear(7, 2, 4);
    expect(render("{YYYY}/{YY}/{MM}/{DD}", early, env)).toBe("0007/07/03/04");
  });

  it("does not rescan the text a token produced", () => {
    const sneaky: TemplateEnv = { host: "{YYYY}-{uuid}", newUuid: env.newUuid };
    expect(render("{host}", wall, sneaky)).toBe("{YYYY}-{uuid}");
  });

  it("handles braces around tokens", () => {
    expect(render("{{YYYY}}", wall, env)).toBe("{2018}");
  });
});

describe("render: zero time, # and uuid", () => {
  it("leaves {host} and {uuid} at the zero time, and does not draw a uuid", () => {
    const counted = countingEnv();
    expect(render("{host}/{uuid}/{YYYY}", null, counted.env)).toBe("{host}/{uuid}/{YYYY}");
    expect(counted.calls()).toBe(0);
  });

  it("treats an invalid Date as the zero time", () => {
    expect(render("{YYYY}", new Date(Number.NaN), env)).toBe("{YYYY}");
  });

  it("ignores a # at index 0, and then a later # too: only the first # counts, as in flowlord", () => {
    expect(render("#{YYYY}/{MM}", wall, env)).toBe("#2018/01");
    expect(render("#{YYYY}#{MM}", wall, env)).toBe("#2018#01");
  });

  it("protects from the first # on, whatever follows", () => {
    expect(render("a{HH}#b{HH}#c{HH}", wall, env)).toBe("a03#b{HH}#c{HH}");
    expect(render("{HH}#", wall, env)).toBe("03#");
  });

  it("gives every {uuid} the same value, drawing one uuid per render", () => {
    const counted = countingEnv();
    const out = render("{uuid}/{uuid}.{uuid}", wall, counted.env);
    expect(out).toBe("aaaaaaa1/aaaaaaa1.aaaaaaa1");
    expect(counted.calls()).toBe(1);
    expect(render("{uuid}", wall, counted.env)).toBe("aaaaaaa2");
  });

  it("draws no uuid when the template has none, or only after a #", () => {
    const counted = countingEnv();
    render("{YYYY}{HOST}", wall, counted.env);
    expect(render("x#{uuid}", wall, counted.env)).toBe("x#{uuid}");
    expect(counted.calls()).toBe(0);
  });
});

describe("podName", () => {
  it.each([
    [host, "abcdefghij-12345"],
    ["worker-1", "worker-1"],
    ["localhost", "localhost"],
    ["", ""],
    ["a--b", "-b"],
  ])("%s gives %s", (h, pod) => {
    expect(podName(h)).toBe(pod);
  });
});

describe("render: properties", () => {
  const anyWall = fc.date({
    min: new Date("0000-01-01T00:00:00Z"),
    max: new Date("9999-12-31T23:59:59Z"),
    noInvalidDate: true,
  });

  it("never throws, for any template, time and host", () => {
    fc.assert(
      fc.property(fc.string(), fc.option(anyWall, { nil: null }), fc.string(), (template, t, h) => {
        expect(typeof render(template, t, { host: h, newUuid: env.newUuid })).toBe("string");
      }),
    );
  });

  it("never throws for templates built from token fragments", () => {
    const piece = fc.constantFrom(
      "{",
      "}",
      "#",
      "uuid",
      "YYYY",
      "yy",
      "min",
      "HOST",
      "pod",
      "SLUG",
      "ts",
      "x",
    );
    fc.assert(
      fc.property(
        fc.array(piece).map((parts) => parts.join("")),
        (template) => {
          expect(typeof render(template, wall, env)).toBe("string");
        },
      ),
    );
  });

  it("returns a template without { unchanged", () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes("{")),
        anyWall,
        (template, t) => {
          expect(render(template, t, env)).toBe(template);
        },
      ),
    );
  });
});
