/**
 * The import rules of the architecture, checked by `make deps` (and so by `make check`).
 *
 * Modules:
 * - `internal/<name>/` is one module, subfolders included; others reach it only through `internal/<name>/index.ts`.
 * - `handler/` (with `handler/views/`) is one module; others reach it only through `handler/index.ts`.
 * - `cmd/taskmaster/` wires everything together; nothing imports it but the tests under `test/`.
 * - `test/` holds the tests that start the service, servers or processes, and the shared test helpers
 *   (`test/helpers/`). These tests reach any file on purpose (a module's insides, `cmd/`), so the module rules
 *   do not apply to them; cycles still do.
 * - A test beside the code (`*.test.ts`, and a module's test support: `fixture.ts`, `testing.ts`, `testdata/`)
 *   keeps the rules of the code it sits beside, and may also import `test/helpers/`.
 *
 * Pure modules do no I/O: `task`, `tmpl`, `rule`, `plan`, and workflow parsing (every file of
 * `internal/workflow/` but `load.ts`, `watch.ts` and `metafile.ts`, which read and watch files, and `index.ts`,
 * which re-exports those). They import no I/O module and no Node builtin but `node:crypto`, whose hashes are a
 * function of their input (task ids, retry keys, workflow checksums). The rule is per file: `plan` imports
 * `internal/workflow/index.ts` for its queries, and that entry also re-exports the loaders.
 *
 * Imports are read with swc (`@swc/core`): TypeScript 7 has no JavaScript API for dependency-cruiser to parse
 * with. The last dependency-cruiser for Node 20 (17.x) has swc parse without JSX, so the `.tsx` files (all in
 * `handler/`) are in the graph, and imports of them are checked, but their own imports are not read here: Biome
 * checks those (the override in `biome.json` for the `.tsx` files: no cycles, other modules through their
 * index.ts, no tests, nothing from cmd/). swc reports a type-only import as an import, so the rules, cycles
 * included, count type-only imports too: a cycle of types is broken like any other, by moving the shared types.
 */

/** A test beside the code, or a module's test support. */
const besideTest = "(\\.test\\.tsx?$|/fixture\\.ts$|/testing\\.ts$|/testdata/)";

/** A module: its folder, as the first group. */
const moduleFolder = "^(internal/[^/]+|handler|cmd/taskmaster)/";

/** The entry of a module others may import. */
const entry = ["^internal/[^/]+/index\\.ts$", "^handler/index\\.ts$"];

/** The pure code: see above. */
const pureCode = [
  "^internal/(task|tmpl|rule|plan|journal)/",
  "^internal/workflow/(?!(load|watch|metafile|index)(\\.test)?\\.ts$)",
];

/**
 * What pure code must not import: the modules that talk to NATS, files, SQLite, buckets, Slack or processes, or hold
 * the runtime (bus, engine, files, cache, backup, alert, worker, metrics, metafiles, bucket, log), the config (it
 * reads files and the environment), the scheduler (it runs timers), workflow's loaders, the HTTP side and cmd.
 * Pure code may take a `Clock` (internal/clock), problems and errors (internal/errors), a Fifo or a backoff.
 */
const ioModules = [
  "^internal/(bus|engine|files|cache|backup|alert|worker|config|log|metrics|bucket|metafiles|schedule)/",
  "^internal/workflow/(load|watch|metafile)\\.ts$",
  "^handler/",
  "^cmd/",
];

/** npm packages pure code may use: TOML and cron parsing. */
const purePackages = "^node_modules/(smol-toml|cron-parser)/";

/** npm packages the tests beside pure code may use as well. */
const testPackages = "^node_modules/(vitest|@vitest/[^/]+|fast-check)/";

module.exports = {
  forbidden: [
    {
      name: "no-cycle",
      severity: "error",
      comment:
        "An import cycle: move the piece both sides need into a file (or module) that neither imports back.",
      from: {},
      to: { circular: true },
    },
    {
      name: "module-through-index",
      severity: "error",
      comment:
        "Another module is reached only through its index.ts: import from internal/<name>/index.ts or " +
        "handler/index.ts, exporting there what is needed.",
      from: { path: moduleFolder },
      to: { path: moduleFolder, pathNot: ["^$1/", ...entry] },
    },
    {
      name: "nothing-imports-cmd",
      severity: "error",
      comment: "cmd/ wires the service; only the tests under test/ import it.",
      from: { pathNot: ["^cmd/", "^test/"] },
      to: { path: "^cmd/" },
    },
    {
      name: "internal-not-to-handler",
      severity: "error",
      comment: "handler is built on the internal modules, never the other way round.",
      from: { path: "^internal/" },
      to: { path: "^handler/" },
    },
    {
      name: "test-helpers-only-in-tests",
      severity: "error",
      comment: "Only tests import test/; the code never does.",
      from: { path: "^(internal|handler|cmd)/", pathNot: besideTest },
      to: { path: "^test/" },
    },
    {
      name: "beside-tests-only-test-helpers",
      severity: "error",
      comment: "A test beside the code imports from test/ only the shared helpers in test/helpers/.",
      from: { path: besideTest, pathNot: "^test/" },
      to: { path: "^test/", pathNot: "^test/helpers/" },
    },
    {
      name: "code-not-to-tests",
      severity: "error",
      comment: "The code never imports a test, a fixture or test data.",
      from: { path: "^(internal|handler|cmd)/", pathNot: besideTest },
      to: { path: besideTest },
    },
    {
      name: "pure-no-io-module",
      severity: "error",
      comment:
        "Pure code (task, tmpl, rule, plan, workflow parsing) imports no I/O module: pass it what it needs " +
        "(values, or a narrow interface it declares).",
      from: { path: pureCode },
      to: { path: ioModules },
    },
    {
      name: "pure-no-io-builtin",
      severity: "error",
      comment: "Pure code imports no Node builtin but node:crypto (hashing).",
      from: { path: pureCode, pathNot: besideTest },
      to: { dependencyTypes: ["core"], pathNot: "^(node:)?crypto$" },
    },
    {
      name: "pure-only-pure-packages",
      severity: "error",
      comment: "Pure code imports only npm packages that do no I/O (listed in .dependency-cruiser.cjs).",
      from: { path: pureCode, pathNot: besideTest },
      to: { dependencyTypesNot: ["local", "core"], pathNot: purePackages },
    },
    {
      name: "pure-tests-only-test-packages",
      severity: "error",
      comment:
        "A test of pure code imports only the pure code's packages, vitest and fast-check (Node builtins such " +
        "as node:fs are allowed, to read test data and make temporary folders).",
      from: { path: pureCode, pathNot: `^(?!.*${besideTest})` },
      to: { dependencyTypesNot: ["local", "core"], pathNot: [purePackages, testPackages] },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "An import that resolves to no file.",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    parser: "swc",
    extraExtensionsToScan: [".tsx"],
    doNotFollow: { path: "^node_modules/" },
    // Packages are found as Node finds them, through their `exports` (`hono/jsx`, `@nats-io/jetstream`).
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "node", "default"],
      mainFields: ["main"],
    },
  },
};
