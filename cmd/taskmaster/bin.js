#!/usr/bin/env node
// The `taskmaster` command. It loads the TypeScript sources through tsx, so the project runs without a build step.
import { register } from "tsx/esm/api";

register();
// Output piped into `head` and the like: a closed pipe ends the command quietly, as other CLI tools do.
process.stdout.on("error", (err) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});
const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  cwd: process.cwd(),
  env: process.env,
  readStdin: async () => {
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    return Buffer.concat(chunks).toString("utf8");
  },
});
