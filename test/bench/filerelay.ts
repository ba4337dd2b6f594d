/**
 * The file baseline of `make bench`: the least a file trigger must do, with taskmaster's guarantees and none of its
 * logic. It watches a folder with one `fs.watch` (as taskmaster does: a watch per folder), reads each new file's size
 * and time, and publishes one message per file with JetStream (pipelined, with an id from the file). Run as its own
 * process: `filerelay.ts URL DIR SUBJECT`.
 */
import { watch } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { connectNats, msgIdOf, Publisher } from "../../internal/bus/index.ts";

const [url = "", dir = "", subject = ""] = process.argv.slice(2);
const nc = await connectNats({ url, name: "bench-filerelay" });
const publisher = new Publisher(nc);
const encoder = new TextEncoder();
/** A file makes several events (made, written, closed): each path is published once. */
const seen = new Set<string>();
const watcher = watch(dir, { encoding: "utf8" }, (_event, name) => {
  if (name === null) return;
  const path = join(dir, name);
  if (seen.has(path)) return;
  seen.add(path);
  void stat(path).then((s) => {
    if (!s.isFile()) return;
    const body = JSON.stringify({ path, size: s.size, created: new Date(s.mtimeMs).toISOString() });
    return publisher.publish(subject, encoder.encode(body), msgIdOf(`${path}|${s.size}|${s.mtimeMs}`));
  });
});
process.stdout.write("filerelay running\n");
process.once("SIGTERM", () => {
  watcher.close();
  void nc.drain().then(() => process.exit(0));
});
