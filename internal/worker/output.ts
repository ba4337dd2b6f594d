/**
 * What a command prints, kept within bounds: its `::meta` lines, and the last bytes of its output for the error
 * message. A task's process may print gigabytes; the worker keeps a few KiB.
 */
import { StringDecoder } from "node:string_decoder";
import { metaFromLine } from "./args.ts";

/** The last `max` bytes written. */
export class ByteTail {
  #buf = Buffer.alloc(0);
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  write(chunk: Buffer): void {
    if (chunk.length >= this.#max) {
      // A copy, so the tail does not keep a large chunk alive.
      this.#buf = Buffer.from(chunk.subarray(chunk.length - this.#max));
      return;
    }
    const joined = Buffer.concat([this.#buf, chunk]);
    this.#buf = joined.length > this.#max ? joined.subarray(joined.length - this.#max) : joined;
  }

  /** The tail as text, trimmed; a character cut in half at the start is dropped rather than shown as garbage. */
  text(): string {
    let start = 0;
    while (start < this.#buf.length && ((this.#buf[start] ?? 0) & 0xc0) === 0x80) start++;
    return this.#buf.subarray(start).toString("utf8").trim();
  }
}

/** Longest stdout line looked at for `::meta`; longer lines are output, never meta. */
const maxLineChars = 64 * 1024;

/** Splits stdout into lines, collects `::meta` pairs, and keeps the tails used in error messages. */
export class ProcessOutput {
  /** stdout (without `::meta` lines) and stderr as they came, for a failure with nothing on stderr. */
  readonly combined = new ByteTail(2048);
  readonly stderr = new ByteTail(1024);
  readonly meta = new Map<string, string>();
  readonly #decoder = new StringDecoder("utf8");
  #partial = "";
  #overlong = false;

  writeStderr(chunk: Buffer): void {
    this.stderr.write(chunk);
    this.combined.write(chunk);
  }

  writeStdout(chunk: Buffer): void {
    this.#take(this.#decoder.write(chunk), false);
  }

  /** At the end of stdout: the last line may lack its newline. */
  endStdout(): void {
    this.#take(this.#decoder.end(), true);
  }

  /** The message for a failed run: the end of stderr, or of all output when stderr is empty. */
  failureText(): string {
    const err = this.stderr.text();
    if (err) return err;
    const all = this.combined.text();
    return all.length > 1024 ? all.slice(-1024).trim() : all;
  }

  #take(text: string, end: boolean): void {
    const lines = (this.#partial + text).split("\n");
    this.#partial = end ? "" : (lines.pop() ?? "");
    if (this.#partial.length > maxLineChars) {
      this.combined.write(Buffer.from(this.#partial));
      this.#partial = "";
      this.#overlong = true;
    }
    for (const line of lines) {
      const wasOverlong = this.#overlong;
      this.#overlong = false;
      const pairs = wasOverlong ? undefined : metaFromLine(line);
      if (pairs === undefined) {
        if (line !== "" || !end) this.combined.write(Buffer.from(`${line}\n`));
        continue;
      }
      for (const [k, v] of pairs) this.meta.set(k, v);
    }
  }
}
