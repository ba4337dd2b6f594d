#!/usr/bin/env node
/**
 * The `taskmaster` command: the process around `main`. `npm run build` bundles it into `dist/taskmaster.mjs`, the
 * package's bin, which runs as plain JavaScript (node's flags, if any, are the operator's: docs/operations.md).
 */
import { main } from "./main.ts";

// Output piped into `head` and the like: a closed pipe ends the command quietly, as other CLI tools do.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

const code = await main(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  cwd: process.cwd(),
  env: process.env,
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  },
});
// The command is over, so the process is too: nothing still open (a NATS client reconnecting to a server that is
// gone, a timer) may keep it running. What was written to stdout and stderr goes out first (pipes are asynchronous).
const flushed = (stream: NodeJS.WriteStream) =>
  new Promise<void>((resolve) => stream.write("", () => resolve()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
