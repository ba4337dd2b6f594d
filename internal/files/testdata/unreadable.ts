// Run by test/files/scan.test.ts as an ordinary user (root reads every folder whatever its mode): scans a root
// holding an unreadable folder and prints what was found and what was reported, as JSON.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scanRoot } from "../scan.ts";

const dir = mkdtempSync(join(tmpdir(), "taskmaster-scan-unreadable-"));
mkdirSync(join(dir, "locked"));
writeFileSync(join(dir, "locked", "secret.csv"), "s");
writeFileSync(join(dir, "open.csv"), "o");
chmodSync(join(dir, "locked"), 0o000);
const problems: string[] = [];
const found = await scanRoot({ dir, depth: null }, 0, {
  onProblem: (p) => problems.push(p.dir.slice(dir.length)),
});
chmodSync(join(dir, "locked"), 0o755);
rmSync(dir, { recursive: true, force: true });
process.stdout.write(JSON.stringify({ found: found.map((f) => f.path.slice(dir.length)), problems }));
