import { isAbsolute, relative } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isLocalPattern, type LocalRoot, localRoots, reaches } from "./roots.ts";

describe("isLocalPattern", () => {
  it("takes absolute paths only", () => {
    expect(isLocalPattern("/data/in/*.csv")).toBe(true);
    expect(isLocalPattern("s3://bucket/in/*.csv")).toBe(false);
    expect(isLocalPattern("gs://bucket/in/*.csv")).toBe(false);
    expect(isLocalPattern("file:///data/in/*.csv")).toBe(false);
    expect(isLocalPattern("data/in/*.csv")).toBe(false);
    expect(isLocalPattern("*.csv")).toBe(false);
  });
});

const segments = (dir: string) => dir.split("/").filter((part) => part !== "").length;

describe("localRoots", () => {
  it("gives the fixed directory and how deep a matching file is below it", () => {
    expect(localRoots(["/data/in/*.csv"])).toEqual([{ dir: "/data/in", depth: 1 }]);
    expect(localRoots(["/data/*/x/*.csv"])).toEqual([{ dir: "/data", depth: 3 }]);
    expect(localRoots(["/data/in/sales.csv"])).toEqual([{ dir: "/data/in", depth: 1 }]);
    expect(localRoots(["/*.csv"])).toEqual([{ dir: "/", depth: 1 }]);
    expect(localRoots(["/data/?/2024-[0-9]*/in/*.csv"])).toEqual([{ dir: "/data", depth: 4 }]);
  });

  it("watches any depth for a ** segment, but not for ** inside a name", () => {
    expect(localRoots(["/data/**/*.csv"])).toEqual([{ dir: "/data", depth: null }]);
    expect(localRoots(["/data/in/**"])).toEqual([{ dir: "/data/in", depth: null }]);
    expect(localRoots(["/data/a**b/*.csv"])).toEqual([{ dir: "/data", depth: 2 }]);
  });

  it("skips bucket, relative and malformed patterns", () => {
    expect(localRoots(["s3://b/in/*.csv", "gs://b/*.csv", "in/*.csv", "/data/[x.csv", "/ok/*.csv"])).toEqual([
      { dir: "/ok", depth: 1 },
    ]);
  });

  it("merges a root inside another into the outer one, deep enough for both", () => {
    expect(localRoots(["/data/*.csv", "/data/in/deep/*.csv"])).toEqual([{ dir: "/data", depth: 3 }]);
    expect(localRoots(["/data/*/*/*/*.csv", "/data/in/*.csv"])).toEqual([{ dir: "/data", depth: 4 }]);
    expect(localRoots(["/data/in/**/*.csv", "/data/*.csv"])).toEqual([{ dir: "/data", depth: null }]);
    expect(localRoots(["/data/*.csv", "/data/in/**/x"])).toEqual([{ dir: "/data", depth: null }]);
  });

  it("deduplicates, sorts, and keeps siblings that only share a name prefix apart", () => {
    expect(
      localRoots(["/data2/*.csv", "/data/*.csv", "/data-x/*.csv", "/data/*.csv", "/data/*/*.csv"]),
    ).toEqual([
      { dir: "/data", depth: 2 },
      { dir: "/data-x", depth: 1 },
      { dir: "/data2", depth: 1 },
    ]);
  });

  it("reaches every pattern's files from exactly one root, and no root is inside another", () => {
    const segment = fc.constantFrom("a", "b", "c", "*", "**", "x?");
    const pattern = fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => `/${parts.join("/")}`);
    fc.assert(
      fc.property(fc.array(pattern, { maxLength: 8 }), (patterns) => {
        const merged = localRoots(patterns);
        const inside = (outer: LocalRoot, dir: string) =>
          dir === outer.dir || dir.startsWith(outer.dir === "/" ? "/" : `${outer.dir}/`);
        for (const root of merged) {
          expect(merged.filter((other) => inside(other, root.dir))).toEqual([root]);
        }
        for (const own of patterns.flatMap((p) => localRoots([p]))) {
          const outer = merged.filter((root) => inside(root, own.dir));
          expect(outer).toHaveLength(1);
          const extra = segments(own.dir) - segments(outer[0]?.dir ?? "/");
          if (outer[0]?.depth !== null) {
            expect(own.depth).not.toBeNull();
            expect(outer[0]?.depth).toBeGreaterThanOrEqual((own.depth ?? 0) + extra);
          }
        }
      }),
    );
  });
});

describe("reaches", () => {
  it("takes paths below the root, down to its depth", () => {
    const root = { dir: "/data", depth: 2 };
    expect(reaches(root, "/data/a.csv")).toBe(true);
    expect(reaches(root, "/data/in/a.csv")).toBe(true);
    expect(reaches(root, "/data/in/deep/a.csv")).toBe(false);
    expect(reaches({ dir: "/data", depth: null }, "/data/in/deep/a.csv")).toBe(true);
    expect(reaches({ dir: "/", depth: 1 }, "/a.csv")).toBe(true);
  });

  it("refuses the root itself, its siblings and paths outside", () => {
    const root = { dir: "/data", depth: null };
    expect(reaches(root, "/data")).toBe(false);
    expect(reaches(root, "/data2/a.csv")).toBe(false);
    expect(reaches(root, "/other/a.csv")).toBe(false);
    expect(reaches(root, "/data/../etc/passwd")).toBe(false);
  });

  it("agrees with the path's place relative to the root, for paths with ., .. and doubled slashes", () => {
    const byRelative = (root: LocalRoot, path: string) => {
      const rel = relative(root.dir, path);
      if (rel === "" || rel === ".." || rel.startsWith("../") || isAbsolute(rel)) return false;
      return root.depth === null || rel.split("/").length <= root.depth;
    };
    const segment = fc.constantFrom("a", "b", "x.csv", ".", "..", "", ".hidden");
    const path = fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => `/${parts.join("/")}`);
    const root = fc.record({
      dir: fc.constantFrom("/", "/a", "/a/b"),
      depth: fc.constantFrom(null, 1, 2, 3),
    });
    fc.assert(
      fc.property(root, path, (r, p) => {
        expect(reaches(r, p)).toBe(byRelative(r, p));
      }),
    );
  });
});
