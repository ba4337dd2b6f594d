import { availableParallelism } from "node:os";
import { configDefaults, defineConfig } from "vitest/config";

/**
 * Three projects (`make test-unit`, `make test-integration`, `make test-browser`; `make test` runs them all):
 * - unit: the tests beside the code, pure and in-process; test/helpers/in-process.ts refuses them child processes,
 *   worker threads, listening sockets and connections. Their files share worker threads and the modules loaded
 *   there, so the project pays for its imports once per thread rather than once per file.
 * - integration: test/ (nats-server, the service's processes, s3rver, the Slack sink, HTTP servers, the cache's
 *   writer thread, SQLite under mount namespaces), each file in a process of its own.
 * - browser: test/browser, the dashboard in Debian's chromium.
 * The last two run the command built into dist/: their globalSetup builds it first (test/helpers/build.ts).
 *
 * The projects run together, one file per core and at least two at a time (vitest's default is one fewer than the
 * cores): an integration file spends much of its time waiting (for a process to start, a drain limit, a retry's
 * time) and another file uses that time. On two busy cores, three at a time made those waits miss their deadlines.
 */
const workers = Math.max(2, availableParallelism());
const buildCommand = "test/helpers/build.ts";

export default defineConfig({
  test: {
    testTimeout: 20_000,
    maxWorkers: workers,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: [
            "internal/**/*.test.ts",
            "cmd/**/*.test.ts",
            "handler/**/*.test.ts",
            "test/helpers/*.test.ts",
          ],
          setupFiles: ["test/helpers/in-process.ts"],
          pool: "threads",
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "test/browser/**", "test/helpers/**"],
          globalSetup: [buildCommand],
          pool: "forks",
        },
      },
      {
        extends: true,
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          globalSetup: [buildCommand],
          pool: "forks",
        },
      },
    ],
  },
});
