/**
 * The writer's backlog on disk: the main thread appends each batch's bytes to a spool file beside the cache and
 * posts only where it is (file, offset, length); the writing thread reads it back when it gets to it. A burst of
 * 100 000 tasks then waits as a few tens of MiB in files, not in the process's memory, while the writer runs on
 * idle CPU (`priority.ts`).
 *
 * The spool is a folder of segments per process (`<cache>.spool/<pid>/`), each written by the main thread only and
 * read and deleted by the writer only, in order: the writer deletes a segment once a batch from the next one
 * arrives, or when it closes. The spool holds nothing the streams do not (the cache can be rebuilt from them), so
 * what a process that is gone left behind (a crash) is cleared at start; a running one's is left alone.
 */
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  rmdirSync,
  rmSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";

/** Where a batch was spooled. */
export interface Spooled {
  readonly file: string;
  readonly offset: number;
  readonly bytes: number;
}

/** A segment is left for the next one past this size, so the writer can delete what it has read. */
const defaultSegmentBytes = 16 * 1024 * 1024;

/** The spool folder of the cache file at `cachePath` (one folder in it per process). */
export const spoolDir = (cachePath: string) => `${cachePath}.spool`;

/** Whether process `pid` exists (one that is not ours to signal still does). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The main thread's side: appends batches. */
export class SpoolWriter {
  private fd = -1;
  private file = "";
  private offset = 0;
  private segment = 0;

  private readonly dir: string;

  /**
   * This process's spool in `root`, after clearing what processes that are gone left there. Throws if the folder
   * cannot be made.
   */
  constructor(
    private readonly root: string,
    private readonly segmentBytes = defaultSegmentBytes,
  ) {
    mkdirSync(root, { recursive: true });
    for (const entry of readdirSync(root)) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || pid === process.pid || !running(pid))
        rmSync(join(root, entry), { recursive: true, force: true });
    }
    this.dir = join(root, String(process.pid));
    mkdirSync(this.dir);
  }

  /**
   * Appends `data`; where it went, or null if it could not be written (disk full, folder gone): the caller then
   * keeps the batch in memory. A failed append leaves nothing the reader would read: it reads by offset and length.
   */
  append(data: Uint8Array): Spooled | null {
    try {
      if (this.fd < 0 || this.offset >= this.segmentBytes) this.next();
      const at = this.offset;
      let written = 0;
      while (written < data.length) written += writeSync(this.fd, data, written, data.length - written);
      this.offset += data.length;
      return { file: this.file, offset: at, bytes: data.length };
    } catch {
      // The next append starts a new segment: this one may end in part of a batch.
      this.offset = this.segmentBytes;
      return null;
    }
  }

  /** Closes and removes this process's spool, and the spool folder if no other process has one there. */
  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    rmSync(this.dir, { recursive: true, force: true });
    try {
      rmdirSync(this.root);
    } catch {
      // Another process's spool is there (or the folder is already gone).
    }
  }

  private next(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.segment++;
    this.file = join(this.dir, `${String(this.segment).padStart(8, "0")}.batch`);
    this.fd = openSync(this.file, "w");
    this.offset = 0;
  }
}

/**
 * The writing thread's side: reads batches in the order they were appended, and deletes the segments it is done
 * with.
 */
export class SpoolReader {
  private fd = -1;
  private file = "";

  /** The batch's bytes. Throws if they cannot be read (the spool was removed under it). */
  read(at: Spooled): Buffer {
    if (at.file !== this.file) {
      this.finish();
      this.fd = openSync(at.file, "r");
      this.file = at.file;
    }
    const data = Buffer.allocUnsafe(at.bytes);
    let read = 0;
    while (read < at.bytes) {
      const n = readSync(this.fd, data, read, at.bytes - read, at.offset + read);
      if (n === 0) throw new Error(`the spool file ${at.file} ends before ${at.offset + at.bytes}`);
      read += n;
    }
    return data;
  }

  /** Closes and deletes the segment being read. */
  finish(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
    try {
      unlinkSync(this.file);
    } catch {
      // Already gone (the main thread cleared the folder at close).
    }
    this.file = "";
  }
}
