/**
 * The dependsOn graph of one workflow (pure): which phases are a phase's parents, and the cycles that would make
 * phases trigger each other forever. Edges run from parent to child, the way tasks flow.
 */
import type { Phase } from "./types.ts";

/** True when a finished task of `parent` triggers `child`: same topic, and the same job unless dependsOn has none. */
export function isParentOf(parent: Phase, child: Phase): boolean {
  if (child.parentTopic === "" || parent.topic !== child.parentTopic) return false;
  return child.parentJob === "" || parent.job === child.parentJob;
}

/** The phases among `phases` (one workflow's) that trigger `child`. */
export function parentsOf(child: Phase, phases: readonly Phase[]): Phase[] {
  return phases.filter((p) => isParentOf(p, child));
}

/**
 * One cycle per strongly connected group of phases that reach themselves, each as the list of phases from its
 * first phase in the file, following parent → child, back to that phase (`a → b → a` is `[a, b, a]`).
 */
export function findCycles(phases: readonly Phase[]): Phase[][] {
  const children = phases.map((parent) =>
    phases.flatMap((child, j) => (isParentOf(parent, child) ? [j] : [])),
  );
  const cycles: Phase[][] = [];
  for (const group of stronglyConnected(children)) {
    const first = Math.min(...group);
    const selfLoop = children[first]?.includes(first) ?? false;
    if (group.length === 1 && !selfLoop) continue;
    const path = shortestLoop(first, new Set(group), children);
    cycles.push(path.flatMap((i) => phases[i] ?? []));
  }
  return cycles.sort((a, b) => (a[0]?.index ?? 0) - (b[0]?.index ?? 0));
}

/** Tarjan's algorithm, iterative so a long chain of phases cannot overflow the stack. */
function stronglyConnected(edges: readonly (readonly number[])[]): number[][] {
  const order = new Array<number>(edges.length).fill(-1);
  const low = new Array<number>(edges.length).fill(0);
  const onStack = new Array<boolean>(edges.length).fill(false);
  const stack: number[] = [];
  const groups: number[][] = [];
  let counter = 0;
  for (let start = 0; start < edges.length; start++) {
    if (order[start] !== -1) continue;
    const work: [node: number, next: number][] = [[start, 0]];
    while (work.length > 0) {
      const top = work[work.length - 1];
      if (top === undefined) break;
      const [node, next] = top;
      if (next === 0) {
        order[node] = low[node] = counter++;
        stack.push(node);
        onStack[node] = true;
      }
      const out = edges[node] ?? [];
      if (next < out.length) {
        top[1] = next + 1;
        const to = out[next] ?? node;
        if (order[to] === -1) work.push([to, 0]);
        else if (onStack[to]) low[node] = Math.min(low[node] ?? 0, order[to] ?? 0);
        continue;
      }
      work.pop();
      const caller = work[work.length - 1];
      if (caller) low[caller[0]] = Math.min(low[caller[0]] ?? 0, low[node] ?? 0);
      if (low[node] === order[node]) groups.push(popGroup(node, stack, onStack));
    }
  }
  return groups;
}

function popGroup(root: number, stack: number[], onStack: boolean[]): number[] {
  const group: number[] = [];
  for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
    onStack[n] = false;
    group.push(n);
    if (n === root) break;
  }
  return group;
}

/** The shortest path from `start` back to itself inside `group` (breadth first), as node indexes. */
function shortestLoop(
  start: number,
  group: ReadonlySet<number>,
  edges: readonly (readonly number[])[],
): number[] {
  const cameFrom = new Map<number, number>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i] ?? start;
    for (const to of edges[node] ?? []) {
      if (!group.has(to)) continue;
      if (to === start) return [...walkBack(node, start, cameFrom), start];
      if (!cameFrom.has(to)) {
        cameFrom.set(to, node);
        queue.push(to);
      }
    }
  }
  return [start];
}

function walkBack(node: number, start: number, cameFrom: ReadonlyMap<number, number>): number[] {
  const path = [node];
  for (let n = node; n !== start; ) {
    const prev = cameFrom.get(n);
    if (prev === undefined) break;
    path.unshift(prev);
    n = prev;
  }
  return path;
}
