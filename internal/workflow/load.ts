/**
 * Reads the workflow root into a snapshot: a single `.toml` file, or every `*.toml` file under a directory,
 * recursively. Flowlord parsed every file of a directory whatever its extension; only `.toml` files are read here,
 * so editor backups and READMEs beside the workflows are left alone. Nothing here throws for a bad file: each
 * failure becomes a problem in the snapshot, and the caller decides whether the snapshot is usable.
 */
import type { Dirent } from "node:fs";
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { type Problem, Severity } from "../errors/index.ts";
import { buildSnapshot, compare, type WorkflowFile } from "./snapshot.ts";
import type { Snapshot } from "./types.ts";

export async function loadSnapshot(root: string): Promise<Snapshot> {
  const problems: Problem[] = [];
  const rootProblem = (severity: Severity, message: string): void => {
    problems.push({ severity, workflow: root, phase: "", key: "", message });
  };
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(root)).isDirectory();
  } catch (err) {
    const missing = errorCode(err) === "ENOENT" || errorCode(err) === "ENOTDIR";
    rootProblem(Severity.error, missing ? "workflow path does not exist" : `cannot read: ${reason(err)}`);
    return buildWithProblems(root, [], problems);
  }
  const listed = isDirectory ? await listTomlFiles(root, problems) : [{ name: basename(root), path: root }];
  if (isDirectory && listed.length === 0 && problems.length === 0) {
    rootProblem(Severity.warning, "no workflow files found");
  }
  const files: WorkflowFile[] = [];
  for (const { name, path } of listed) {
    try {
      files.push({ name, path, text: await readFile(path, "utf8") });
    } catch (err) {
      const message = `cannot read file: ${reason(err)}`;
      problems.push({ severity: Severity.error, workflow: name, phase: "", key: "", message });
    }
  }
  return buildWithProblems(root, files, problems);
}

function buildWithProblems(
  root: string,
  files: readonly WorkflowFile[],
  problems: readonly Problem[],
): Snapshot {
  const snapshot = buildSnapshot(root, files);
  return problems.length === 0 ? snapshot : { ...snapshot, problems: [...problems, ...snapshot.problems] };
}

interface Listed {
  readonly name: string;
  readonly path: string;
}

/** Every `*.toml` under `root`, named by its `/`-separated path relative to the root, sorted by name. */
async function listTomlFiles(root: string, problems: Problem[]): Promise<Listed[]> {
  const found: Listed[] = [];
  // Directories by real path, so a symlink back up the tree is followed once and never loops. Entries are walked
  // in name order, so when two names lead to one directory the first name in that order is the one used.
  const seen = new Set<string>();
  const walk = async (dir: string, prefix: string): Promise<void> => {
    let entries: Dirent[];
    try {
      const real = await realpath(dir);
      if (seen.has(real)) return;
      seen.add(real);
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      const workflow = prefix === "" ? dir : prefix;
      const message = `cannot read directory: ${reason(err)}`;
      problems.push({ severity: Severity.error, workflow, phase: "", key: "", message });
      return;
    }
    for (const entry of entries.sort((a, b) => compare(a.name, b.name))) {
      const path = join(dir, entry.name);
      const name = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
      const kind = await entryKind(entry, path);
      if (kind === "directory") await walk(path, name);
      else if (kind === "file" && entry.name.endsWith(".toml")) found.push({ name, path });
    }
  };
  await walk(root, "");
  return found.sort((a, b) => compare(a.name, b.name));
}

/** What an entry is, following symlinks; a broken link counts as a file, so reading it reports the failure. */
async function entryKind(entry: Dirent, path: string): Promise<"directory" | "file" | "other"> {
  if (entry.isDirectory()) return "directory";
  if (entry.isFile()) return "file";
  if (!entry.isSymbolicLink()) return "other";
  try {
    const target = await stat(path);
    if (target.isDirectory()) return "directory";
    return target.isFile() ? "file" : "other";
  } catch {
    return "file";
  }
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null || !("code" in err)) return undefined;
  return typeof err.code === "string" ? err.code : undefined;
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
