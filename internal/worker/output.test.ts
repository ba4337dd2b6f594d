import { describe, expect, it } from "vitest";
import { ByteTail, ProcessOutput } from "./output.ts";
import { TaskQueue } from "./queue.ts";

describe("ProcessOutput", () => {
  it("finds ::meta lines split across chunks and keeps them out of the output tail", () => {
    const out = new ProcessOutput();
    for (const part of ["hello\n::me", "ta a=1&b", "=2\nbye\n::meta b=3"]) out.writeStdout(Buffer.from(part));
    out.endStdout();
    expect(Object.fromEntries(out.meta)).toEqual({ a: "1", b: "3" });
    expect(out.failureText()).toBe("hello\nbye");
  });

  it("prefers stderr for a failure and keeps its last KiB", () => {
    const out = new ProcessOutput();
    out.writeStdout(Buffer.from("stdout text\n"));
    out.writeStderr(Buffer.from(`${"a".repeat(2000)}\nlast words\n`));
    expect(out.failureText()).toHaveLength(1023);
    expect(out.failureText().endsWith("a\nlast words")).toBe(true);
  });

  it("never reads meta from a line too long to be one", () => {
    const out = new ProcessOutput();
    out.writeStdout(Buffer.from(`::meta k=${"v".repeat(70_000)}`));
    out.writeStdout(Buffer.from("\n::meta ok=1\n"));
    out.endStdout();
    expect(Object.fromEntries(out.meta)).toEqual({ ok: "1" });
  });
});

describe("ByteTail", () => {
  it("keeps the last bytes and drops a character cut in half", () => {
    const tail = new ByteTail(4);
    tail.write(Buffer.from("ab"));
    tail.write(Buffer.from("cdé")); // é is two bytes, so the last 4 bytes are c d 0xC3 0xA9
    expect(tail.text()).toBe("cdé");
    tail.write(Buffer.from("xé")); // the last 4 bytes are 0xA9 x 0xC3 0xA9: the stray 0xA9 goes
    expect(tail.text()).toBe("xé");
  });
});

describe("TaskQueue", () => {
  it("is first in, first out across compactions", () => {
    const q = new TaskQueue();
    const item = (n: number) => ({ task: { type: "t", info: String(n) }, data: new Uint8Array() });
    for (let n = 0; n < 3000; n++) q.push(item(n));
    const seen: string[] = [];
    for (let n = 0; n < 2000; n++) seen.push(q.shift()?.task.info ?? "");
    q.push(item(3000));
    expect(q.length).toBe(1001);
    for (let next = q.shift(); next; next = q.shift()) seen.push(next.task.info);
    expect(seen).toEqual(Array.from({ length: 3001 }, (_, n) => String(n)));
    expect(q.shift()).toBeUndefined();
  });
});
