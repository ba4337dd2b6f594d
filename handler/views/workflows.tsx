/**
 * The Workflows page, drawn from the live workflow snapshot: a summary with the problems that belong to no phase
 * (a file that failed to parse, an unknown key), then one section per workflow file with its graph and a table of
 * its phases: trigger, rule, template, retry, status, the next and previous cron fire times, and a backload link.
 * Fire times are computed for `now` with the scheduler's own slot functions in the phase's zone, so the page
 * shows what will really fire. Before a snapshot exists the cache's phase records are shown instead.
 */
import { createContext, useContext } from "hono/jsx";
import type { PhaseRecord } from "../../internal/cache/index.ts";
import { formatProblem, type Problem } from "../../internal/errors/index.ts";
import { isBatchPhase, phaseZone } from "../../internal/plan/index.ts";
import { formatDuration } from "../../internal/rule/index.ts";
import { nextSlot, previousSlot } from "../../internal/schedule/index.ts";
import { formatRfc3339, toWall } from "../../internal/tmpl/index.ts";
import type { Phase, Snapshot, Workflow } from "../../internal/workflow/index.ts";
import { isOrphan, phaseAnchors, WorkflowGraph, workflowGraph } from "./graph.tsx";
import { Badge, Layout } from "./layout.tsx";

export interface WorkflowsPageProps {
  readonly snapshot: Snapshot | undefined;
  readonly now: Date;
  /** The cache's phase records: shown only while there is no snapshot (the runtime has not loaded one yet). */
  readonly records?: readonly PhaseRecord[];
  /** The viewer holds the admin token: offer "reload workflows" and each phase's "run now". */
  readonly canAct?: boolean;
}

/** Whether the viewer may act, for the rows deep in the page (a context, not a prop passed down each level). */
const CanAct = createContext(false);

export function WorkflowsPage(props: WorkflowsPageProps) {
  const { snapshot } = props;
  return (
    <Layout title="Workflows" path="/web/workflows">
      {props.canAct ? (
        <p>
          <button
            type="button"
            class="act"
            data-post="/api/v1/refresh"
            data-confirm="Reload the workflow files now?"
            data-done="Reloaded"
          >
            reload workflows
          </button>
        </p>
      ) : null}
      <CanAct.Provider value={props.canAct === true}>
        {snapshot === undefined ? (
          <RecordsTable records={props.records ?? []} />
        ) : (
          <SnapshotView snapshot={snapshot} now={props.now} />
        )}
      </CanAct.Provider>
    </Layout>
  );
}

/** Page styles beyond the layout's, scoped to `.workflows` (in `/static/style.css`). */
export const workflowsCss = `
.workflows section { margin:1.5rem 0 2rem; }
.workflows h2 { font-size:1.1rem; margin:.25rem 0; }
.workflows ul.problems { margin:.25rem 0; padding-left:1.1rem; }
.workflows td ul.problems { padding-left:.9rem; }
.workflows tr:target { outline:2px solid var(--accent); }
.workflows code { font-size:.85rem; }
.workflows td.wrap { min-width:12rem; }
.workflows td.status { min-width:14rem; }
.workflows .when time { white-space:nowrap; }
.workflows .when .muted { font-size:.8rem; }
`;

/** Which problems belong to which phase, and those that belong to none (whole files, phases never read). */
function sortProblems(snapshot: Snapshot): { of: (phase: Phase) => Problem[]; loose: Problem[] } {
  const byPhase = new Map<Phase, Problem[]>();
  const loose: Problem[] = [];
  for (const problem of snapshot.problems) {
    const phases = snapshot.workflows.get(problem.workflow)?.phases ?? [];
    // A key defined twice names both phases; the line tells which one the problem is about.
    const phase = phases.find(
      (p) =>
        p.key === problem.phase &&
        (problem.line === undefined || p.line === undefined || p.line === problem.line),
    );
    if (phase === undefined || problem.phase === "") loose.push(problem);
    else byPhase.set(phase, [...(byPhase.get(phase) ?? []), problem]);
  }
  return { of: (phase) => byPhase.get(phase) ?? [], loose };
}

function SnapshotView(props: { snapshot: Snapshot; now: Date }) {
  const { snapshot, now } = props;
  const problems = sortProblems(snapshot);
  const anchors = phaseAnchors(snapshot.phases);
  const errors = snapshot.problems.filter((p) => p.severity === "error").length;
  const workflows = [...snapshot.workflows.values()];
  return (
    <div class="workflows">
      <p class="counts">
        <span>
          <b>{workflows.length}</b> workflows
        </span>
        <span>
          <b>{snapshot.phases.length}</b> phases
        </span>
        <span class={snapshot.problems.length > 0 ? "warning" : "ok"}>
          <b>{snapshot.problems.length}</b> problems ({errors} errors)
        </span>
        <span class="muted">from {snapshot.root}</span>
      </p>
      {problems.loose.length > 0 ? (
        <div>
          <h2>Problems outside any phase</h2>
          <ProblemList
            problems={problems.loose}
            format={(p) =>
              `${formatProblem(p)}${snapshot.workflows.has(p.workflow) ? "" : " (file not loaded)"}`
            }
          />
        </div>
      ) : null}
      {workflows.length === 0 ? <p class="muted">No workflow files loaded.</p> : null}
      {workflows.map((workflow, i) => (
        <WorkflowSection workflow={workflow} index={i} now={now} anchors={anchors} problemsOf={problems.of} />
      ))}
    </div>
  );
}

function WorkflowSection(props: {
  workflow: Workflow;
  index: number;
  now: Date;
  anchors: ReadonlyMap<Phase, string>;
  problemsOf: (phase: Phase) => Problem[];
}) {
  const { workflow, anchors, problemsOf } = props;
  const faulty = (phase: Phase) => problemsOf(phase).some((p) => p.severity === "error");
  const model = workflowGraph(workflow.phases, anchors, faulty);
  const rows = [...workflow.phases].sort((a, b) => a.index - b.index);
  return (
    <section>
      <h2>{workflow.name}</h2>
      <p class="muted">
        {workflow.path} · {workflow.phases.length} phases · md5 {workflow.checksum}
      </p>
      <WorkflowGraph name={workflow.name} model={model} idPrefix={`wf${props.index}`} />
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th>phase</th>
              <th>trigger</th>
              <th>rule</th>
              <th>template</th>
              <th>retry</th>
              <th>status</th>
              <th>next fire</th>
              <th>previous fire</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((phase) => (
              <PhaseRow
                phase={phase}
                anchor={anchors.get(phase) ?? ""}
                orphan={isOrphan(phase, workflow.phases)}
                problems={problemsOf(phase)}
                now={props.now}
              />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function PhaseRow(props: { phase: Phase; anchor: string; orphan: boolean; problems: Problem[]; now: Date }) {
  const { phase } = props;
  const canAct = useContext(CanAct);
  const times = fireTimes(phase, props.now);
  const backload = `/web/backload?phase=${encodeURIComponent(`${phase.workflow}|${phase.key}`)}`;
  return (
    <tr id={props.anchor}>
      <td>
        <b>{phase.key}</b>
        {phase.line === undefined ? null : <div class="muted">line {phase.line}</div>}
      </td>
      <td>
        <Trigger phase={phase} orphan={props.orphan} />
      </td>
      <td class="wrap">
        <code>{phase.rule.text}</code>
      </td>
      <td class="wrap">
        <code>{phase.template}</code>
      </td>
      <td>{phase.retry}</td>
      <td class="status">
        {props.problems.length === 0 ? (
          <span class="badge ok">OK</span>
        ) : (
          <ProblemList problems={props.problems} format={problemText} />
        )}
      </td>
      {"error" in times ? (
        <td colspan={2} class="error">
          {times.error}
        </td>
      ) : (
        <>
          <td>{times.next ? <Instant at={times.next} zone={times.zone} /> : null}</td>
          <td>{times.prev ? <Instant at={times.prev} zone={times.zone} /> : null}</td>
        </>
      )}
      <td>
        <a href={backload}>backload</a>
        {canAct ? (
          <button
            type="button"
            class="act"
            data-post="/api/v1/phases/launch"
            data-body={JSON.stringify({ workflow: phase.workflow, phase: phase.key })}
            data-confirm={`Run ${phase.key} of ${phase.workflow} now?`}
            data-done="Launched"
          >
            run now
          </button>
        ) : null}
      </td>
    </tr>
  );
}

/** How the phase starts: its cron (and zone), its files glob, its parent; a phase with none only runs by backload. */
function Trigger(props: { phase: Phase; orphan: boolean }) {
  const { phase } = props;
  const { cron, files, forMs, by } = phase.rule;
  const zone = phaseZone(phase);
  const lines = [
    cron === undefined ? null : (
      <div>
        cron <code>{cron.text}</code>
        {isUtc(zone) ? null : <span class="muted"> {zone}</span>}
      </div>
    ),
    cron !== undefined && isBatchPhase(phase) ? (
      <div class="muted">
        batch{forMs === undefined ? "" : ` for ${formatDuration(forMs)}`} by {by}
      </div>
    ) : null,
    files === undefined ? null : (
      <div>
        files <code>{files}</code>
      </div>
    ),
    phase.dependsOn === "" ? null : (
      <div class={props.orphan ? "warning" : undefined}>
        after <code>{phase.dependsOn}</code>
        {props.orphan ? " (no such parent)" : ""}
      </div>
    ),
  ].filter((line) => line !== null);
  return lines.length > 0 ? <div>{lines}</div> : <span class="muted">backload only</span>;
}

function ProblemList(props: { problems: readonly Problem[]; format: (p: Problem) => string }) {
  return (
    <ul class="problems">
      {props.problems.map((p) => (
        <li class={p.severity}>{props.format(p)}</li>
      ))}
    </ul>
  );
}

/** A phase's problem without the file and phase (the row says them); the key only when the message lacks it. */
function problemText(p: Problem): string {
  return p.key === "" || p.message.startsWith(p.key) ? p.message : `${p.key}: ${p.message}`;
}

type FireTimes = { next?: Date; prev?: Date | null; zone: string } | { error: string };

/**
 * The cron slots either side of `now`: the first strictly after it and the last at or before it, as the
 * scheduler computes them. Batch phases (`for=`) fire on their cron like any other. Nothing for a phase
 * without cron; a zone the runtime would refuse is shown rather than breaking the page.
 */
export function fireTimes(phase: Phase, now: Date): FireTimes {
  const spec = phase.rule.cron;
  const zone = phaseZone(phase);
  if (spec === undefined) return { zone };
  try {
    return { next: nextSlot(spec, zone, now), prev: previousSlot(spec, zone, now), zone };
  } catch (err) {
    return { error: `cannot compute fire times: ${(err as Error).message}` };
  }
}

/** UTC to the second; below it, the same instant on the phase's zone's clock when that is not UTC. */
function Instant(props: { at: Date; zone: string }) {
  const utc = formatRfc3339(props.at);
  const wall = isUtc(props.zone)
    ? null
    : toWall(props.at, props.zone).toISOString().slice(0, 19).replace("T", " ");
  return (
    <span class="when">
      <time datetime={utc}>{utc}</time>
      {wall === null ? null : (
        <div class="muted">
          {wall} {props.zone}
        </div>
      )}
    </span>
  );
}

function isUtc(zone: string): boolean {
  return zone === "UTC" || zone === "Etc/UTC";
}

/** Before the first snapshot: the phases as the cache last recorded them. */
function RecordsTable(props: { records: readonly PhaseRecord[] }) {
  if (props.records.length === 0) return <p class="muted">No workflows loaded yet.</p>;
  return (
    <div class="workflows scroll">
      <p class="muted">
        The workflow files are not loaded yet; these are the phases the cache last recorded.
      </p>
      <table>
        <thead>
          <tr>
            <th>status</th>
            <th>workflow</th>
            <th>phase</th>
            <th>depends on</th>
            <th>rule</th>
            <th>template</th>
            <th>retry</th>
            <th>problems</th>
          </tr>
        </thead>
        <tbody>
          {props.records.map((r) => (
            <tr>
              <td>
                <Badge value={r.status} />
              </td>
              <td>{r.workflow}</td>
              <td>{r.phase}</td>
              <td>{r.dependsOn}</td>
              <td class="wrap">{r.rule}</td>
              <td class="wrap">{r.template}</td>
              <td>{r.retry}</td>
              <td class="wrap">{r.problems.join("; ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
