/**
 * A history follower in a process of its own, for the test that kills it: `node --import tsx followchild.ts URL PATH
 * TASKS DONE EVENTS AUDIT FAILED` follows until it is killed, printing "following" once its file is open.
 */
import { connectNats } from "../../internal/bus/index.ts";
import { startFollower } from "../../internal/cache/index.ts";

const [url = "", path = "", tasks = "", done = "", events = "", audit = "", failed = ""] =
  process.argv.slice(2);
const nc = await connectNats({ url, name: "follow-child" });
await startFollower({
  nc,
  path,
  streams: { tasks, failed, done, events, audit },
  retentionMs: 0,
  retryMs: 100,
});
console.log("following");
