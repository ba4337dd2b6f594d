/** The generated reference covers every key. */
import { describe, expect, it } from "vitest";
import { configReference, formatDefault } from "./docs.ts";
import { configKeys, keyByPath } from "./schema.ts";

describe("configReference", () => {
  it("has one row per key, naming its path and environment variable", () => {
    const rows = configReference().split("\n").slice(2);
    expect(rows).toHaveLength(configKeys.length);
    for (const [i, key] of configKeys.entries()) {
      expect(rows[i]).toContain(`\`${key.path}\``);
      expect(rows[i]).toContain(`\`${key.env}\``);
    }
    expect(configReference()).toContain("flowlord: `sqlite.local_path`");
  });

  it("writes defaults as they would be written in the file", () => {
    const at = (path: string) => {
      const key = keyByPath(path);
      return key === undefined ? "missing" : formatDefault(key);
    };
    expect(at("refresh")).toBe('"15m"');
    expect(at("cache.retention")).toBe('"2160h"');
    expect(at("streams.max_bytes")).toBe("-1");
    expect(at("cache.s3.force_path_style")).toBe("false");
    expect(at("status_port")).toBe("");
  });
});
