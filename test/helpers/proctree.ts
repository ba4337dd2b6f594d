/**
 * Processes as Linux shows them in /proc: a process and all its descendants (by parent PID), and whether a process
 * still runs. Tests use them to check that a command leaves nothing behind when it exits.
 */
import { readdirSync, readFileSync } from "node:fs";

interface Stat {
  readonly pid: number;
  readonly state: string;
  readonly ppid: number;
}

/** `/proc/PID/stat`: the command name is in parentheses and may hold spaces, so fields are read after its end. */
function stat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { pid, state: fields[0] ?? "", ppid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}

/** `root` and every process below it now. */
export function processTree(root: number): Set<number> {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (!s) continue;
    children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
  }
  const tree = new Set<number>();
  const walk = (pid: number) => {
    tree.add(pid);
    for (const child of children.get(pid) ?? []) walk(child);
  };
  walk(root);
  return tree;
}

/** True while the process runs (a zombie, exited but not yet reaped by its parent, does not count). */
export function isRunning(pid: number): boolean {
  const s = stat(pid);
  return s !== undefined && s.state !== "Z" && s.state !== "X";
}
