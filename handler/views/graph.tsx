/**
 * One workflow drawn as an inline SVG (no script, no library): a box per phase, a box per cron or files trigger,
 * and an arrow from each trigger and each parent to the phases they start. Parents are found with the workflow
 * module's own `isParentOf`, so the drawing shows exactly what the runtime triggers. A phase whose dependsOn
 * matches nothing is drawn dashed in the warning colour; one with an error in the error colour. Colours come from
 * the page's CSS variables through `currentColor`, so dark mode follows. Labels are text nodes, which hono/jsx
 * escapes.
 */
import type { Phase } from "../../internal/workflow/index.ts";
import { isParentOf, parentsOf } from "../../internal/workflow/index.ts";
import { type LayoutEdge, layoutGraph } from "./graphlayout.ts";

export type GraphNodeKind = "phase" | "cron" | "files";

export interface GraphNode {
  readonly id: string;
  readonly kind: GraphNodeKind;
  readonly label: string;
  /** The tooltip: the full label and what the node is. */
  readonly title: string;
  /** Where a click goes (the phase's row in the table). */
  readonly href?: string;
  /** Extra classes: `orphan`, `faulty`. */
  readonly flags: readonly string[];
}

export interface GraphModel {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly LayoutEdge[];
}

/** Labels longer than this are cut with an ellipsis; the tooltip keeps the whole text. */
const maxLabel = 30;

/**
 * Ids for the phases' table rows (`phase-<workflow>-<key>`), unique within a page: characters an id or a URL
 * fragment could trip on become `_`, and a key defined twice in one file gets the phase's position appended.
 */
export function phaseAnchors(phases: readonly Phase[]): Map<Phase, string> {
  const anchors = new Map<Phase, string>();
  const used = new Set<string>();
  for (const phase of phases) {
    let anchor = `phase-${`${phase.workflow}-${phase.key}`.replace(/[^A-Za-z0-9._:-]/g, "_")}`;
    if (used.has(anchor)) anchor = `${anchor}-${phase.index + 1}`;
    used.add(anchor);
    anchors.set(phase, anchor);
  }
  return anchors;
}

/** A phase with a dependsOn that no phase of its file satisfies: it is never triggered by a parent. */
export function isOrphan(phase: Phase, phases: readonly Phase[]): boolean {
  return phase.parentTopic !== "" && parentsOf(phase, phases).length === 0;
}

/**
 * The nodes and edges of one workflow, in file order, each phase preceded by its triggers so the first column
 * reads top to bottom like the file.
 */
export function workflowGraph(
  phases: readonly Phase[],
  anchors: ReadonlyMap<Phase, string>,
  faulty: (phase: Phase) => boolean = () => false,
): GraphModel {
  const ordered = [...phases].sort((a, b) => a.index - b.index);
  const nodes: GraphNode[] = [];
  const edges: LayoutEdge[] = [];
  ordered.forEach((phase, i) => {
    const id = anchors.get(phase) ?? `phase-${i}`;
    const cron = phase.rule.cron;
    if (cron !== undefined) {
      const zone = cron.tz ?? phase.rule.tz;
      nodes.push(trigger(`${id}~cron`, "cron", cron.text, `cron ${cron.text} (${zone}) starts ${phase.key}`));
      edges.push({ from: `${id}~cron`, to: id });
    }
    const files = phase.rule.files;
    if (files !== undefined) {
      nodes.push(trigger(`${id}~files`, "files", files, `a file matching ${files} starts ${phase.key}`));
      edges.push({ from: `${id}~files`, to: id });
    }
    const flags = [isOrphan(phase, ordered) ? "orphan" : "", faulty(phase) ? "faulty" : ""].filter(Boolean);
    const missing = flags.includes("orphan") ? `; parent ${phase.dependsOn} not found` : "";
    nodes.push({
      id,
      kind: "phase",
      label: phase.key,
      title: `${phase.key} → ${phase.topic}${missing}`,
      href: `#${id}`,
      flags,
    });
  });
  for (const parent of ordered)
    for (const child of ordered)
      if (isParentOf(parent, child))
        edges.push({ from: anchors.get(parent) ?? "", to: anchors.get(child) ?? "" });
  return { nodes, edges };
}

function trigger(id: string, kind: GraphNodeKind, label: string, title: string): GraphNode {
  return { id, kind, label, title, flags: [] };
}

/** What fits in a box: the label cut to `maxLabel` characters. */
function shown(label: string): string {
  const chars = [...label];
  return chars.length <= maxLabel ? label : `${chars.slice(0, maxLabel - 1).join("")}…`;
}

/** A box wide enough for its label at 12px (about 7px a character), within sensible bounds. */
function boxWidth(label: string): number {
  return Math.min(240, Math.max(64, [...shown(label)].length * 7 + 20));
}

/** The SVG of one workflow. `idPrefix` keeps the arrowhead's id unique when a page has several graphs. */
export function WorkflowGraph(props: { name: string; model: GraphModel; idPrefix: string }) {
  const { model } = props;
  const byId = new Map(model.nodes.map((node) => [node.id, node]));
  const layout = layoutGraph(
    model.nodes.map((node) => ({ id: node.id, width: boxWidth(node.label) })),
    model.edges,
  );
  const phases = model.nodes.filter((node) => node.kind === "phase").length;
  const triggers = model.nodes.length - phases;
  const arrow = `${props.idPrefix}-arrow`;
  return (
    <figure class="wf-graph">
      <svg
        role="img"
        aria-label={`Graph of ${props.name}: ${phases} phases, ${triggers} triggers, ${model.edges.length} arrows`}
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        width={layout.width}
        height={layout.height}
        xmlns="http://www.w3.org/2000/svg"
      >
        <defs>
          <marker
            id={arrow}
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M0 0L10 5L0 10z" fill="currentColor" />
          </marker>
        </defs>
        <g class="edges">
          {layout.edges.map((edge) => (
            <path
              class={edge.back ? "edge back" : "edge"}
              d={edge.d}
              marker-end={`url(#${arrow})`}
              data-from={edge.from}
              data-to={edge.to}
            />
          ))}
        </g>
        {layout.nodes.map((placed) => {
          const node = byId.get(placed.id);
          if (node === undefined) return null;
          const box = (
            <g class={["node", node.kind, ...node.flags].join(" ")} data-node={node.id}>
              <title>{node.title}</title>
              <rect x={placed.x} y={placed.y} width={placed.width} height={placed.height} rx="6" />
              <text x={placed.x + 10} y={placed.y + placed.height / 2 + 4}>
                {shown(node.label)}
              </text>
            </g>
          );
          return node.href ? <a href={node.href}>{box}</a> : box;
        })}
      </svg>
    </figure>
  );
}

/** The graph's styles, scoped to `.wf-graph` (in `/static/style.css`). */
export const graphCss = `
.wf-graph { margin:.5rem 0 1rem; overflow-x:auto; color:var(--muted); }
.wf-graph svg { display:block; max-width:none; }
.wf-graph .edge { fill:none; stroke:currentColor; stroke-width:1.3; }
.wf-graph .edge.back { stroke-dasharray:4 3; color:var(--err); }
.wf-graph .node rect { fill:var(--bg); stroke:currentColor; stroke-width:1.3; }
.wf-graph .node text { fill:var(--fg); font:12px system-ui, sans-serif; }
.wf-graph .phase { color:var(--accent); }
.wf-graph .cron, .wf-graph .files { color:var(--muted); }
.wf-graph .cron rect { rx:14px; }
.wf-graph .files rect { stroke-dasharray:2 2; }
.wf-graph .orphan { color:var(--warn); }
.wf-graph .orphan rect { stroke-dasharray:5 3; stroke-width:2; }
.wf-graph .faulty { color:var(--err); }
.wf-graph .faulty rect { stroke-width:2; }
.wf-graph a:hover rect, .wf-graph a:focus rect { stroke-width:2.6; }
`;
