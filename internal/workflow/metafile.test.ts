import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MetaRow } from "../rule/index.ts";
import { loadMetaFile, readMetaFile } from "./metafile.ts";
import { MetaFileError, parseCsv, parseNdjson } from "./metarows.ts";

const plain = (rows: readonly MetaRow[]) => rows.map((row) => Object.fromEntries(row));

describe("parseNdjson", () => {
  it("reads one object per line, skipping blank lines, values as text", () => {
    const text = [
      '{"name":"alice","age":25,"admin":true}',
      "",
      '  {"name":"bob","age":30.5,"admin":false,"tags":["a","b"],"address":{"city":"x"},"note":null}  ',
      "\r",
    ].join("\n");
    expect(plain(parseNdjson(text, "rows.json"))).toEqual([
      { name: "alice", age: "25", admin: "true" },
      { name: "bob", age: "30.5", admin: "false", tags: '["a","b"]', address: '{"city":"x"}', note: "" },
    ]);
  });

  it("keeps the key order of each object", () => {
    const [row] = parseNdjson('{"z":"1","a":"2"}', "r.json");
    expect([...(row?.keys() ?? [])]).toEqual(["z", "a"]);
  });

  it("names the file and line of a line that is not an object", () => {
    expect(() => parseNdjson('{"a":1}\n\n[1,2]\n', "rows.json")).toThrow(
      new MetaFileError("rows.json:3: not a JSON object"),
    );
    expect(() => parseNdjson('"text"', "rows.json")).toThrow("rows.json:1: not a JSON object");
    expect(() => parseNdjson("null", "rows.json")).toThrow("rows.json:1: not a JSON object");
    expect(() => parseNdjson('{"a":1}\n{"a":', "rows.json")).toThrow(/^rows\.json:2: not valid JSON \(/);
  });

  it("throws a MetaFileError", () => {
    let caught: unknown;
    try {
      parseNdjson("x", "r.json");
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MetaFileError);
    expect((caught as Error).name).toBe("MetaFileError");
  });
});

describe("parseCsv", () => {
  it("reads a header row and one row per record", () => {
    expect(plain(parseCsv("name,value\nalice,1\nbob,2\n", "m.csv"))).toEqual([
      { name: "alice", value: "1" },
      { name: "bob", value: "2" },
    ]);
  });

  it("reads quoted fields with commas, doubled quotes and newlines (RFC 4180)", () => {
    const text = 'name,quote,empty\r\n"Smith, J","He said ""hi""\r\nthen left",""\r\nplain,"",x\r\n';
    expect(plain(parseCsv(text, "m.csv"))).toEqual([
      { name: "Smith, J", quote: 'He said "hi"\r\nthen left', empty: "" },
      { name: "plain", quote: "", empty: "x" },
    ]);
  });

  it("skips blank lines, a byte-order mark and a missing last newline", () => {
    expect(plain(parseCsv("\ufeffa,b\n\n1,2\n\n3,4", "m.csv"))).toEqual([
      { a: "1", b: "2" },
      { a: "3", b: "4" },
    ]);
    expect(parseCsv("", "m.csv")).toEqual([]);
    expect(parseCsv("a,b\n", "m.csv")).toEqual([]);
  });

  it("keeps empty trailing fields", () => {
    expect(plain(parseCsv("a,b,c\n1,,\n", "m.csv"))).toEqual([{ a: "1", b: "", c: "" }]);
  });

  it("names the line where a record with the wrong field count starts", () => {
    expect(() => parseCsv('a,b\n1,2\n"x\ny",2,3\n', "m.csv")).toThrow(
      new MetaFileError("m.csv:3: 3 fields, header has 2"),
    );
    expect(() => parseCsv("a,b\n1\n", "m.csv")).toThrow("m.csv:2: 1 field, header has 2");
  });

  it("rejects an unterminated quote, text after a closing quote and a bad header", () => {
    expect(() => parseCsv('a,b\n1,"open\n\n', "m.csv")).toThrow("m.csv:2: unterminated quoted field");
    expect(() => parseCsv('a,b\n"x"y,2\n', "m.csv")).toThrow(/^m\.csv:2: text after a closing quote/);
    expect(() => parseCsv("a,a\n1,2\n", "m.csv")).toThrow('m.csv:1: the header repeats the column "a"');
    expect(() => parseCsv("a,\n1,2\n", "m.csv")).toThrow("m.csv:1: the header has an empty column name");
  });
});

describe.each([
  ["readMetaFile", async (pattern: string, cwd: string) => readMetaFile(pattern, cwd)],
  ["loadMetaFile", loadMetaFile],
])("%s", (_name, read) => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "taskmaster-metafile-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const write = (rel: string, data: string | Buffer) => {
    mkdirSync(join(dir, rel, ".."), { recursive: true });
    writeFileSync(join(dir, rel), data);
  };

  it("reads an NDJSON file relative to the directory", async () => {
    write("data/rows.json", '{"store":"a"}\n{"store":"b"}\n');
    expect(plain(await read("data/rows.json", dir))).toEqual([{ store: "a" }, { store: "b" }]);
    expect(plain(await read("./data/rows.json", dir))).toHaveLength(2);
    expect(plain(await read(join(dir, "data/rows.json"), "/"))).toHaveLength(2);
  });

  it("reads a .csv file as CSV, with quotes", async () => {
    write("stores.csv", 'store,city\n"a, inc","New\nYork"\n');
    expect(plain(await read("stores.csv", dir))).toEqual([{ store: "a, inc", city: "New\nYork" }]);
  });

  it("gunzips .gz files, choosing the format by the name inside", async () => {
    write("rows.json.gz", gzipSync('{"k":"1"}\n'));
    write("rows.csv.gz", gzipSync("k\n2\n"));
    expect(plain(await read("rows.json.gz", dir))).toEqual([{ k: "1" }]);
    expect(plain(await read("rows.csv.gz", dir))).toEqual([{ k: "2" }]);
  });

  it("reads every file a glob matches, in name order", async () => {
    write("in/2024-01-02.json", '{"day":"2"}\n');
    write("in/2024-01-01.json", '{"day":"1"}\n');
    write("in/skip.csv", "day\n3\n");
    write("in/sub/2024-01-03.json", '{"day":"nested"}\n');
    expect(plain(await read("in/*.json", dir))).toEqual([{ day: "1" }, { day: "2" }]);
    expect(plain(await read("in/**/*.json", dir))).toEqual([{ day: "1" }, { day: "2" }, { day: "nested" }]);
  });

  it("follows a link to a folder, and a link back up the tree does not loop", async () => {
    write("in/a.json", '{"k":"a"}\n');
    write("elsewhere/b.json", '{"k":"b"}\n');
    symlinkSync(join(dir, "elsewhere"), join(dir, "in", "linked"));
    symlinkSync(join(dir, "in"), join(dir, "in", "up"));
    expect(plain(await read("in/**/*.json", dir))).toEqual([{ k: "a" }, { k: "b" }]);
  });

  it("says when nothing matches", async () => {
    await expect(read("missing.json", dir)).rejects.toThrow(
      new MetaFileError("no files found for missing.json"),
    );
    await expect(read("none/*.json", dir)).rejects.toThrow("no files found for none/*.json");
    mkdirSync(join(dir, "folder"));
    await expect(read("folder", dir)).rejects.toThrow("no files found for folder");
  });

  it("names the file and line of a bad row", async () => {
    write("in/a.json", '{"k":"1"}\n');
    write("in/b.json", '{"k":"1"}\n"oops"\n');
    await expect(read("in/*.json", dir)).rejects.toThrow(new MetaFileError("in/b.json:2: not a JSON object"));
    write("bad.csv", "a,b\n1,2,3\n");
    await expect(read("bad.csv", dir)).rejects.toThrow("bad.csv:2: 3 fields, header has 2");
  });

  it("rejects a .gz file that is not gzip, a bad glob and a remote path", async () => {
    write("fake.json.gz", "not gzip");
    await expect(read("fake.json.gz", dir)).rejects.toThrow(/^fake\.json\.gz: not a gzip file/);
    await expect(read("in/[a-.json", dir)).rejects.toThrow(/^meta-file pattern in\/\[a-\.json: /);
    await expect(read("s3://bucket/rows.json", dir)).rejects.toThrow(
      "s3://bucket/rows.json: only local meta-files can be read",
    );
  });
});

describe("loadMetaFile", () => {
  it("walks a big glob without blocking: the event loop turns while the files are found and read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "taskmaster-metafile-"));
    try {
      for (let d = 0; d < 200; d++) {
        mkdirSync(join(dir, "in", `d${d}`), { recursive: true });
        for (let f = 0; f < 10; f++) writeFileSync(join(dir, "in", `d${d}`, `${f}.json`), `{"d":"${d}"}\n`);
      }
      let turns = 0;
      let walking = true;
      const turn = () => {
        if (!walking) return;
        turns++;
        setImmediate(turn);
      };
      setImmediate(turn);
      const rows = await loadMetaFile("in/**/*.json", dir);
      walking = false;
      expect(rows).toHaveLength(2000);
      // A synchronous walk would finish before the loop turned once; each directory listed is at least one turn.
      expect(turns).toBeGreaterThan(100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
