// Prints vitest's totals as one plain line, `N passed, N failed[, N skipped]`, the line CI reads.
import { readFileSync } from "node:fs";

const file = process.argv[2] ?? ".tmp/vitest.json";
try {
  const r = JSON.parse(readFileSync(file, "utf8"));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  console.log(
    `${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`,
  );
} catch (err) {
  console.log(`0 passed, 1 failed (no test report at ${file}: ${err.message})`);
  process.exitCode = 1;
}
