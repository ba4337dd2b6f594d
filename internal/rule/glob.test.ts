/** The `files=` glob: Go's filepath.Match over the whole path, `**` segments, roots, and no slow patterns. */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileGlob, type Glob } from "./glob.ts";

function glob(pattern: string): Glob {
  const result = compileGlob(pattern);
  if ("error" in result) throw new Error(result.error);
  return result.glob;
}

function error(pattern: string): string | undefined {
  const result = compileGlob(pattern);
  return "error" in result ? result.error : undefined;
}

describe("compileGlob matching", () => {
  it.each([
    // flowlord's TestTaskMaster_MatchFile.
    ["gs://*/*/*.txt", "gs://bucket/path/file.txt", true],
    ["gs://*/*/*.txt", "/path/to/file.txt", false],
    ["gs://*/*/*.txt", "gs://bucket/group/data.txt", true],
    ["gs://*/*/data.txt", "gs://bucket/group/data.txt", true],
    ["gs://*/*/data.txt", "gs://bucket/path/file.txt", false],
    // TestValidatePhase and the f3.toml workflow.
    ["s3:/bucket/path/*/*.txt", "s3:/bucket/path/2024/a.txt", true],
    ["./folder/*.txt", "./folder/a.txt", true],
    ["./folder/*.txt", "folder/a.txt", false],
    // `*` and `?` stop at `/`, and the whole path must match.
    ["/data/*.csv", "/data/a.csv", true],
    ["/data/*.csv", "/data/sub/a.csv", false],
    ["/data/*.csv", "/data/a.csv.gz", false],
    ["/data/*.csv", "x/data/a.csv", false],
    ["/data/*", "/data/", true],
    ["/data/a?c", "/data/abc", true],
    ["/data/a?c", "/data/a/c", false],
    ["/data/a?c", "/data/ac", false],
    ["*", "file", true],
    ["*", "dir/file", false],
    ["a*b*c", "aXXbYYc", true],
    ["a*b*c", "abc", true],
    ["a*b*c", "acb", false],
    ["*x*", "x", true],
    ["a**b", "aXXb", true],
    ["a**b", "a/b", false],
    // Classes, Go's `^` and the shell's `!`.
    ["[abc].txt", "b.txt", true],
    ["[abc].txt", "d.txt", false],
    ["[a-c][0-9].txt", "c7.txt", true],
    ["[^a-c].txt", "d.txt", true],
    ["[^a-c].txt", "a.txt", false],
    ["[!a-c].txt", "d.txt", true],
    ["[!a-c].txt", "b.txt", false],
    ["a[^x]b", "a/b", false],
    ["[z-a]", "m", false],
    ["[\\]]", "]", true],
    ["[\\-]", "-", true],
    ["[a\\-z]", "b", false],
    ["[é]", "é", true],
    ["?", "😀", true],
    // Escapes make any character literal.
    ["\\*.txt", "*.txt", true],
    ["\\*.txt", "a.txt", false],
    ["a\\?", "a?", true],
    ["a\\[b", "a[b", true],
    ["a\\/b", "a/b", true],
    // Regex metacharacters are plain text.
    ["a.b", "axb", false],
    ["(a)+{1}$|^", "(a)+{1}$|^", true],
    ["a]b", "a]b", true],
    // `**` as a whole segment: any number of segments, or everything below when last.
    ["a/**/b.txt", "a/b.txt", true],
    ["a/**/b.txt", "a/x/b.txt", true],
    ["a/**/b.txt", "a/x/y/b.txt", true],
    ["a/**/b.txt", "a/xb.txt", false],
    ["a/**/b.txt", "b.txt", false],
    ["a/**", "a/x", true],
    ["a/**", "a/x/y/z.txt", true],
    ["a/**", "a", false],
    ["a/**", "ab/x", false],
    ["**/*.csv", "x.csv", true],
    ["**/*.csv", "d/e/x.csv", true],
    ["**/*.csv", "d/e/x.txt", false],
    ["**", "any/thing/at/all", true],
    ["a/**/**/b", "a/b", true],
    ["a/**/**/b", "a/1/2/3/b", true],
    ["gs://b/**/x/**/y.txt", "gs://b/x/y.txt", true],
    ["gs://b/**/x/**/y.txt", "gs://b/1/x/2/x/3/y.txt", true],
    ["gs://b/**/x/**/y.txt", "gs://b/1/2/y.txt", false],
    ["gs://b/**/x/**", "gs://b/1/x/anything", true],
  ])("%j matches %j: %s", (pattern, path, expected) => {
    expect(glob(pattern).match(path)).toBe(expected);
  });

  it("stays fast on patterns that make a naive regex backtrack exponentially", () => {
    const long = "a".repeat(5000);
    const start = performance.now();
    expect(glob("*a*a*a*a*a*a*a*a*a*a*b").match(long)).toBe(false);
    expect(glob("**/a*a*a*a*a*b/**/c").match(`${"a/".repeat(200)}${long}`)).toBe(false);
    expect(glob("**/a/**/a/**/a/**/b").match("a/".repeat(300))).toBe(false);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});

describe("compileGlob errors", () => {
  it.each([
    ["gs://[abc", 'unclosed "[" at position 6'],
    ["a[", 'unclosed "[" at position 2'],
    ["a[^", 'unclosed "[" at position 2'],
    ["a[b-", 'unclosed "[" at position 2'],
    ["a[\\", 'unclosed "[" at position 2'],
    ["[]a]", '"]" at position 2 must be escaped'],
    ["[a-]", '"]" at position 4 must be escaped'],
    ["[-a]", '"-" at position 2 must be escaped'],
    ["abc\\", '"\\" at position 4 escapes nothing'],
  ])("%j: %s", (pattern, message) => {
    expect(error(pattern)).toContain(message);
  });
});

describe("compileGlob root", () => {
  it.each([
    ["/data/in/*/x.csv", "/data/in"],
    ["gs://b/p/*.txt", "gs://b/p"],
    ["gs://*/*/*.txt", "gs://"],
    ["*.txt", "."],
    ["/*.txt", "/"],
    ["./folder/*.txt", "./folder"],
    ["a/**/b.txt", "a"],
    ["/data/in/x.csv", "/data/in"],
    ["x.csv", "."],
    ["/x.csv", "/"],
    ["/a/b[0-9]/c", "/a"],
    ["/a/\\*/c*", "/a/*"],
    ["/a//b/*", "/a//b"],
  ])("%j → %j", (pattern, root) => {
    expect(glob(pattern).root).toBe(root);
  });
});

describe("compileGlob properties", () => {
  it("never throws, whatever the pattern", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme-ascii", maxLength: 40 }), (pattern) => {
        const result = compileGlob(pattern);
        if ("glob" in result) result.glob.match(pattern);
      }),
    );
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("*", "?", "[", "]", "^", "!", "-", "\\", "/", "a") }),
        (p) => {
          const result = compileGlob(p);
          if ("glob" in result) result.glob.match("a/a*a?/a");
        },
      ),
    );
  });

  it("matches exactly itself when the pattern has no metacharacters", () => {
    const plain = fc.string({ unit: fc.constantFrom(..."ab./:-_ (){}+$^|.é😀") });
    fc.assert(
      fc.property(plain, plain, (pattern, other) => {
        const compiled = glob(pattern);
        expect(compiled.match(pattern)).toBe(true);
        expect(compiled.match(other)).toBe(other === pattern);
      }),
    );
  });
});
