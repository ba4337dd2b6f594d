import { describe, expect, it } from "vitest";
import { assignLayers, forwardEdges, layoutGraph, maxDepth, orderLayers } from "./graphlayout.ts";

const edge = (from: string, to: string) => ({ from, to });
const boxes = (...ids: string[]) => ids.map((id) => ({ id, width: 80 }));

describe("assignLayers", () => {
  it("puts a chain one layer per step", () => {
    const layers = assignLayers(["a", "b", "c"], [edge("a", "b"), edge("b", "c")]);
    expect(Object.fromEntries(layers)).toEqual({ a: 0, b: 1, c: 2 });
  });

  it("uses the longest path, so a node sits right of all its parents", () => {
    const layers = assignLayers(["a", "b", "c"], [edge("a", "b"), edge("b", "c"), edge("a", "c")]);
    expect(layers.get("c")).toBe(2);
  });

  it("finishes on a cycle, with or without an entry into it", () => {
    const entered = assignLayers(["r", "a", "b"], [edge("r", "a"), edge("a", "b"), edge("b", "a")]);
    expect(Object.fromEntries(entered)).toEqual({ r: 0, a: 1, b: 2 });
    const closed = assignLayers(["a", "b", "c"], [edge("a", "b"), edge("b", "c"), edge("c", "a")]);
    expect(Object.fromEntries(closed)).toEqual({ a: 0, b: 1, c: 2 });
    const self = assignLayers(["a"], [edge("a", "a")]);
    expect(self.get("a")).toBe(0);
  });

  it("caps the depth of a very long chain", () => {
    const ids = Array.from({ length: 200 }, (_, i) => `n${i}`);
    const chain = ids.slice(1).map((id, i) => edge(ids[i] ?? "", id));
    const layers = assignLayers(ids, chain);
    expect(Math.max(...layers.values())).toBe(maxDepth);
    expect(assignLayers(ids, chain, 5).get("n199")).toBe(5);
  });

  it("ignores edges to unknown nodes", () => {
    expect(Object.fromEntries(assignLayers(["a"], [edge("a", "x"), edge("y", "a")]))).toEqual({ a: 0 });
  });
});

describe("forwardEdges", () => {
  it("drops exactly the edge that closes the cycle", () => {
    const kept = forwardEdges(["r", "a", "b"], [edge("r", "a"), edge("a", "b"), edge("b", "a")]);
    expect(kept).toEqual([edge("r", "a"), edge("a", "b")]);
  });
});

describe("orderLayers", () => {
  it("orders a layer by its parents' rows, so fan-outs do not cross", () => {
    // Roots in the order p, q; their children given in the crossed order.
    const ids = ["p", "q", "under-q", "under-p"];
    const edges = [edge("p", "under-p"), edge("q", "under-q")];
    expect(orderLayers(ids, edges, assignLayers(ids, edges))).toEqual([
      ["p", "q"],
      ["under-p", "under-q"],
    ]);
  });
});

describe("layoutGraph", () => {
  it("places layers left to right and routes forward edges between box sides", () => {
    const layout = layoutGraph(boxes("a", "b"), [edge("a", "b")]);
    const [a, b] = layout.nodes;
    expect(a?.x).toBeLessThan(b?.x ?? 0);
    expect(layout.edges).toHaveLength(1);
    expect(layout.edges[0]?.back).toBe(false);
    expect(layout.edges[0]?.d).toMatch(/^M90 /);
    expect(layout.width).toBeGreaterThan((b?.x ?? 0) + 80);
  });

  it("draws a cycle's closing edge as a loop underneath, and makes room for it", () => {
    const open = layoutGraph(boxes("a", "b"), [edge("a", "b")]);
    const closed = layoutGraph(boxes("a", "b"), [edge("a", "b"), edge("b", "a")]);
    expect(closed.edges.map((e) => e.back)).toEqual([false, true]);
    expect(closed.height).toBeGreaterThan(open.height);
    const self = layoutGraph(boxes("a"), [edge("a", "a")]);
    expect(self.edges[0]?.back).toBe(true);
  });

  it("draws an empty graph as an empty frame", () => {
    const layout = layoutGraph([], []);
    expect(layout.nodes).toEqual([]);
    expect(layout.width).toBeGreaterThan(0);
  });
});
