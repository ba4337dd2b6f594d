/**
 * Layered layout of a small directed graph (pure): which column (layer) each node goes in, its row within the
 * column, and the path of each edge. Drawn left to right: a node's layer is the longest path to it from a root,
 * so a chain reads as a line and a phase always sits right of everything that triggers it.
 *
 * Workflow graphs can hold a dependsOn cycle (validation reports it but the file still loads), so the layering
 * must never chase one: edges that close a cycle are found by a depth-first walk and left out of the layering
 * (they are still drawn, curving back underneath), and every depth is capped besides.
 */

export interface LayoutNode {
  readonly id: string;
  /** The box's width in px; the caller measures its label. */
  readonly width: number;
}

export interface LayoutEdge {
  readonly from: string;
  readonly to: string;
}

export interface PlacedNode {
  readonly id: string;
  readonly layer: number;
  /** Row within the layer, from the top. */
  readonly order: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface RoutedEdge {
  readonly from: string;
  readonly to: string;
  /** SVG path data. */
  readonly d: string;
  /** True when the edge runs back (or within a layer, or to itself): it closes a cycle. */
  readonly back: boolean;
}

export interface GraphLayout {
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly RoutedEdge[];
  readonly width: number;
  readonly height: number;
}

/** No workflow is this deep; a depth past it means something is wrong, and the drawing stays bounded anyway. */
export const maxDepth = 64;

const geometry = { nodeHeight: 30, gapX: 56, gapY: 14, padding: 10, loopDrop: 22 } as const;

/**
 * Each node's layer: 0 for a root, else one more than its deepest parent, never more than `cap`. Edges to unknown
 * ids and edges closing a cycle are ignored, so this finishes for any input.
 */
export function assignLayers(
  ids: readonly string[],
  edges: readonly LayoutEdge[],
  cap: number = maxDepth,
): Map<string, number> {
  const forward = forwardEdges(ids, edges);
  const indegree = new Map<string, number>(ids.map((id) => [id, 0]));
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of forward) {
    out.get(e.from)?.push(e.to);
    indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
  }
  const layer = new Map<string, number>(ids.map((id) => [id, 0]));
  // Kahn's order over an acyclic graph: each node is settled once all its parents are.
  const ready = ids.filter((id) => indegree.get(id) === 0);
  for (let i = 0; i < ready.length; i++) {
    const node = ready[i] ?? "";
    const depth = layer.get(node) ?? 0;
    for (const child of out.get(node) ?? []) {
      layer.set(child, Math.min(cap, Math.max(layer.get(child) ?? 0, depth + 1)));
      const left = (indegree.get(child) ?? 0) - 1;
      indegree.set(child, left);
      if (left === 0) ready.push(child);
    }
  }
  return layer;
}

/**
 * The edges that do not close a cycle: a depth-first walk from the roots (then from any node not yet reached, for
 * a cycle nothing enters) drops each edge that points back at a node still on the walk's path. What is left is
 * acyclic. Iterative, so a long chain cannot overflow the stack.
 */
export function forwardEdges(ids: readonly string[], edges: readonly LayoutEdge[]): LayoutEdge[] {
  const known = new Set(ids);
  const usable = edges.filter((e) => known.has(e.from) && known.has(e.to) && e.from !== e.to);
  const out = new Map<string, LayoutEdge[]>(ids.map((id) => [id, []]));
  const hasParent = new Set<string>();
  for (const e of usable) {
    out.get(e.from)?.push(e);
    hasParent.add(e.to);
  }
  const state = new Map<string, "open" | "done">();
  const back = new Set<LayoutEdge>();
  const starts = [...ids.filter((id) => !hasParent.has(id)), ...ids];
  for (const start of starts) {
    if (state.has(start)) continue;
    state.set(start, "open");
    const stack: [node: string, next: number][] = [[start, 0]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top === undefined) break;
      const edge = out.get(top[0])?.[top[1]];
      if (edge === undefined) {
        state.set(top[0], "done");
        stack.pop();
        continue;
      }
      top[1] += 1;
      const seen = state.get(edge.to);
      if (seen === "open") back.add(edge);
      else if (seen === undefined) {
        state.set(edge.to, "open");
        stack.push([edge.to, 0]);
      }
    }
  }
  return usable.filter((e) => !back.has(e));
}

/**
 * Rows within each layer. The first layer keeps the input order; each later one is sorted by the mean row of its
 * parents (ties keep the input order), which untangles the usual fan-out without a full crossing minimisation.
 */
export function orderLayers(
  ids: readonly string[],
  edges: readonly LayoutEdge[],
  layers: ReadonlyMap<string, number>,
): string[][] {
  const depth = Math.max(0, ...layers.values());
  const byLayer: string[][] = Array.from({ length: depth + 1 }, () => []);
  for (const id of ids) byLayer[layers.get(id) ?? 0]?.push(id);
  const parents = new Map<string, string[]>();
  for (const e of forwardEdges(ids, edges)) parents.set(e.to, [...(parents.get(e.to) ?? []), e.from]);
  const row = new Map<string, number>();
  const input = new Map(ids.map((id, i) => [id, i]));
  for (const layer of byLayer) {
    const weight = (id: string): number => {
      const rows = (parents.get(id) ?? []).flatMap((p) => row.get(p) ?? []);
      return rows.length === 0 ? Number.POSITIVE_INFINITY : rows.reduce((a, b) => a + b, 0) / rows.length;
    };
    const weights = new Map(layer.map((id) => [id, weight(id)]));
    layer.sort((a, b) => {
      const wa = weights.get(a) ?? 0;
      const wb = weights.get(b) ?? 0;
      if (wa !== wb) return wa < wb ? -1 : 1;
      return (input.get(a) ?? 0) - (input.get(b) ?? 0);
    });
    layer.forEach((id, i) => {
      row.set(id, i);
    });
  }
  return byLayer;
}

/** Places every node and routes every edge. Node ids must be unique; edges to unknown ids are left out. */
export function layoutGraph(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): GraphLayout {
  const { nodeHeight, gapX, gapY, padding } = geometry;
  const ids = nodes.map((n) => n.id);
  const width = new Map(nodes.map((n) => [n.id, n.width]));
  const layers = orderLayers(ids, edges, assignLayers(ids, edges));
  const rows = Math.max(1, ...layers.map((l) => l.length));
  const placed = new Map<string, PlacedNode>();
  let x = padding;
  layers.forEach((layer, depth) => {
    const column = Math.max(0, ...layer.map((id) => width.get(id) ?? 0));
    // A short column is centred against the tallest, so a chain beside a fan-out lines up in the middle.
    const top = padding + ((rows - layer.length) * (nodeHeight + gapY)) / 2;
    layer.forEach((id, order) => {
      const y = top + order * (nodeHeight + gapY);
      placed.set(id, { id, layer: depth, order, x, y, width: width.get(id) ?? 0, height: nodeHeight });
    });
    x += column + gapX;
  });
  const routed = edges.flatMap((e) => {
    const from = placed.get(e.from);
    const to = placed.get(e.to);
    return from && to ? [route(e, from, to)] : [];
  });
  const bodyHeight = padding * 2 + rows * (nodeHeight + gapY) - gapY;
  const loopsHeight = routed.some((e) => e.back) ? geometry.loopDrop + padding : 0;
  return {
    nodes: [...placed.values()],
    edges: routed,
    width: Math.max(padding * 2, x - gapX + padding),
    height: bodyHeight + loopsHeight,
  };
}

/** A forward edge runs right side to left side; one that goes back dips under both boxes instead. */
function route(edge: LayoutEdge, from: PlacedNode, to: PlacedNode): RoutedEdge {
  if (to.layer > from.layer) {
    const x1 = from.x + from.width;
    const y1 = from.y + from.height / 2;
    const x2 = to.x;
    const y2 = to.y + to.height / 2;
    const bend = Math.max(16, (x2 - x1) / 2);
    const d = `M${n(x1)} ${n(y1)} C${n(x1 + bend)} ${n(y1)} ${n(x2 - bend)} ${n(y2)} ${n(x2)} ${n(y2)}`;
    return { from: edge.from, to: edge.to, d, back: false };
  }
  const self = from.id === to.id;
  const x1 = from.x + from.width * (self ? 0.7 : 0.5);
  const x2 = to.x + to.width * (self ? 0.3 : 0.5);
  const y1 = from.y + from.height;
  const y2 = to.y + to.height;
  const low = Math.max(y1, y2) + geometry.loopDrop;
  const d = `M${n(x1)} ${n(y1)} C${n(x1)} ${n(low)} ${n(x2)} ${n(low)} ${n(x2)} ${n(y2)}`;
  return { from: edge.from, to: edge.to, d, back: true };
}

/** Coordinates to one decimal: enough for a screen, short in the page. */
function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}
