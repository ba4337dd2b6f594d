/**
 * The file baseline of `make bench`: the least a file trigger must do, with taskmaster's guarantees and none of its
 * logic. It watches a folder with chokidar, reads each new file's size and time, and publishes one message per file
 * with JetStream (pipelined, with an id from the file). Run as its own process: `filerelay.ts URL DIR SUBJECT`.
 */
import { stat } from "node:fs/promises";
import { watch } from "chokidar";
import { connectNats, msgIdOf, Publisher } from "../../internal/bus/index.ts";

const [url = "", dir = "", subject = ""] = process.argv.slice(2);
const nc = await connectNats({ url, name: "bench-filerelay" });
const publisher = new Publisher(nc);
const encoder = new TextEncoder();
const watcher = watch(dir, { ignoreInitial: true, depth: 0 });
watcher.on("add", (path) => {
  void stat(path).then((s) => {
    const body = JSON.stringify({ path, size: s.size, created: new Date(s.mtimeMs).toISOString() });
    return publisher.publish(subject, encoder.encode(body), msgIdOf(`${path}|${s.size}|${s.mtimeMs}`));
  });
});
watcher.on("ready", () => process.stdout.write("filerelay running\n"));
process.once("SIGTERM", () => {
  void watcher.close().then(() => nc.drain().then(() => process.exit(0)));
});
