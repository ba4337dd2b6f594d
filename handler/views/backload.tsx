/**
 * The backload page: pick a phase, a time or a range, and its meta values; preview the tasks (a dry run) and execute
 * them through `POST /api/v1/backload`. The server renders the whole form for the chosen phase, so the page reads
 * without JavaScript; `/static/backload.js` (backload-script.ts) adds the phase switching, the preview and the execute.
 * Phase data reaches the script as JSON in a data block, with `<` escaped so a template cannot close the tag.
 */

import { type Phase, type Snapshot, templateMetaKeys } from "../../internal/workflow/index.ts";
import { Layout } from "./layout.tsx";

/** What the page shows and the script posts for one phase. */
export interface BackloadPhase {
  readonly workflow: string;
  readonly key: string;
  readonly topic: string;
  readonly job: string;
  readonly template: string;
  /** The rule as written. */
  readonly rule: string;
  /** The template's `{meta:KEY}` keys, each once, in order. */
  readonly metaKeys: readonly string[];
  /** The rule's `meta-file=`. */
  readonly metaFile?: string;
  /** The rule's `by=`, when written: the default step of a range. */
  readonly by?: string;
  /** The rule's `meta=` values by key, comma-joined: what an empty meta field falls back to. */
  readonly ruleMeta?: Readonly<Record<string, string>>;
}

export interface BackloadPageProps {
  readonly phases: readonly BackloadPhase[];
  /** `workflow|key` of the phase to show first (from `?phase=`). */
  readonly selected?: string;
  /** YYYY-MM-DD: the default of every time input. */
  readonly today: string;
  /** Whether the viewer holds the admin role, which `Execute: true` needs. */
  readonly canExecute: boolean;
}

export function backloadPhases(snapshot: Snapshot): BackloadPhase[] {
  return snapshot.phases.map((phase) => {
    const ruleMeta = ruleMetaOf(phase);
    return {
      workflow: phase.workflow,
      key: phase.key,
      topic: phase.topic,
      job: phase.job,
      template: phase.template,
      rule: phase.rule.text,
      metaKeys: templateMetaKeys(phase.template),
      ...(phase.rule.metaFile !== undefined ? { metaFile: phase.rule.metaFile } : {}),
      ...(phase.rule.params.has("by") ? { by: phase.rule.by } : {}),
      ...(ruleMeta ? { ruleMeta } : {}),
    };
  });
}

/** The option value naming a phase: keys are unique only within a workflow. */
export function phaseValue(phase: Pick<BackloadPhase, "workflow" | "key">): string {
  return `${phase.workflow}|${phase.key}`;
}

/** JSON for a `<script type="application/json">` block: no `<` (so no `</script>`), and no `&` or line separators. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function ruleMetaOf(phase: Phase): Record<string, string> | undefined {
  const rows = phase.rule.metaRows ?? [];
  if (rows.length === 0) return undefined;
  const lists = new Map<string, string[]>();
  for (const row of rows) {
    for (const [key, value] of row) lists.set(key, [...(lists.get(key) ?? []), value]);
  }
  return Object.fromEntries([...lists].map(([key, values]) => [key, values.join(",")]));
}

/** The page's styles (in `/static/style.css`). Narrow screens get one column and full-width controls. */
export const backloadCss = `
.backload fieldset { border:1px solid var(--line); border-radius:8px; margin:0 0 1rem; padding:.6rem .9rem .8rem; min-width:0; }
.backload legend { font-weight:600; padding:0 .3rem; }
.backload .fields { display:flex; flex-wrap:wrap; gap:.6rem 1rem; align-items:flex-end; }
.backload .field { display:flex; flex-direction:column; gap:.15rem; min-width:12rem; }
.backload .field label { font-size:.8rem; color:var(--muted); }
.backload .choice { display:inline-flex; align-items:center; gap:.3rem; margin:0 1rem .5rem 0; }
.backload select { max-width:100%; }
.backload dl { display:grid; grid-template-columns:max-content minmax(0,1fr); gap:.25rem .8rem; margin:.7rem 0 0; }
.backload dt { color:var(--muted); font-size:.85rem; }
.backload dd { margin:0; word-break:break-all; }
.backload ul { margin:0; padding-left:1.1rem; }
.backload .hint { font-size:.8rem; color:var(--muted); margin:.5rem 0 0; }
.backload .spaced { margin-top:.8rem; }
#backload-status { font-weight:600; margin-bottom:.25rem; }
#backload-result[data-state=busy] { opacity:.6; }
.backload .actions { display:flex; flex-wrap:wrap; gap:.5rem; align-items:center; }
.backload button.primary { background:var(--accent); border-color:var(--accent); color:#fff; }
.backload button.danger { border-color:var(--err); color:var(--err); }
button:disabled { opacity:.55; cursor:not-allowed; }
.errorbox { border:1px solid var(--err); color:var(--err); border-radius:8px; padding:.5rem .75rem; margin:1rem 0; }
#backload-result { margin-top:1rem; }
[hidden] { display:none !important; }
@media (max-width: 640px) {
  .backload .fields { flex-direction:column; align-items:stretch; }
  .backload .field { min-width:0; }
  .backload input[type=text], .backload select { width:100%; }
  .backload dl { grid-template-columns:minmax(0,1fr); }
  .backload .actions button { flex:1 1 100%; }
}
`;

const timePattern = "\\d{4}-\\d{2}-\\d{2}(T\\d{2})?";
const timeFormat = "YYYY-MM-DD or YYYY-MM-DDTHH";

function TimeInput(props: { id: string; label: string; today: string; disabled?: boolean }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="text"
        value={props.today}
        pattern={timePattern}
        placeholder={timeFormat}
        title={timeFormat}
        required
        disabled={props.disabled}
        autocomplete="off"
        spellcheck={false}
        size={14}
      />
    </div>
  );
}

function PhasePicker(props: { phases: readonly BackloadPhase[]; chosen: BackloadPhase | undefined }) {
  const groups = new Map<string, BackloadPhase[]>();
  for (const phase of props.phases)
    groups.set(phase.workflow, [...(groups.get(phase.workflow) ?? []), phase]);
  const chosen = props.chosen;
  return (
    <fieldset>
      <legend>Phase</legend>
      <div class="fields">
        <div class="field">
          <label for="backload-phase">phase (grouped by workflow)</label>
          <select id="backload-phase" name="phase">
            {[...groups].map(([workflow, phases]) => (
              <optgroup label={workflow}>
                {phases.map((phase) => (
                  <option value={phaseValue(phase)} selected={phase === chosen}>
                    {phase.key}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </div>
        {/* Without JavaScript, this reloads the page showing the chosen phase. */}
        <noscript>
          <button type="submit">show</button>
        </noscript>
      </div>
      <dl>
        <dt>workflow</dt>
        <dd id="backload-workflow">{chosen?.workflow}</dd>
        <dt>topic</dt>
        <dd id="backload-topic">{chosen?.topic}</dd>
        <dt>job</dt>
        <dd id="backload-job">{chosen?.job || "(none)"}</dd>
        <dt>template</dt>
        <dd>
          <code id="backload-template">{chosen?.template}</code>
        </dd>
        <dt>rule</dt>
        <dd>
          <ul id="backload-rule">
            {ruleParts(chosen?.rule ?? "").map((part) => (
              <li>{part}</li>
            ))}
          </ul>
        </dd>
      </dl>
    </fieldset>
  );
}

/** The rule split on `&`, one parameter per line; an empty rule says so. */
export function ruleParts(rule: string): string[] {
  const parts = rule.split("&").filter((part) => part.trim() !== "");
  return parts.length > 0 ? parts : ["(no rule)"];
}

function TimeFields(props: { today: string; by: string }) {
  return (
    <fieldset>
      <legend>Time</legend>
      <div role="radiogroup" aria-label="time mode">
        <label class="choice">
          <input type="radio" name="mode" value="at" id="backload-mode-at" checked />
          at one time
        </label>
        <label class="choice">
          <input type="radio" name="mode" value="range" id="backload-mode-range" />
          over a range
        </label>
      </div>
      <div class="fields" id="backload-at-fields">
        <TimeInput id="backload-at" label="at" today={props.today} />
      </div>
      <div class="fields" id="backload-range-fields" hidden>
        <TimeInput id="backload-from" label="from" today={props.today} disabled />
        <TimeInput id="backload-to" label="to (included)" today={props.today} disabled />
        <div class="field">
          <label for="backload-by">by</label>
          <select id="backload-by" disabled>
            {["hour", "day", "week", "month"].map((step) => (
              <option value={step} selected={step === props.by}>
                {step}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p class="hint">
        Write times as {timeFormat}, as the template prints them; a day alone is its first hour. A range runs
        from its first to its last time, both included.
      </p>
    </fieldset>
  );
}

/** One input per `{meta:KEY}` (hidden when the rule reads a meta-file), and the meta-file input. The script shows
 * and hides the same hints when the phase changes, so their wording lives only here. */
function MetaFields(props: { phase: BackloadPhase | undefined }) {
  const phase = props.phase;
  const keys = phase?.metaKeys ?? [];
  const fromFile = phase?.metaFile !== undefined;
  return (
    <fieldset id="backload-meta">
      <legend>Meta</legend>
      <div id="backload-meta-values" hidden={fromFile}>
        <div class="fields" id="backload-meta-fields">
          {keys.map((key) => (
            <MetaInput name={key} rule={phase?.ruleMeta?.[key]} />
          ))}
        </div>
        <p class="hint" id="backload-meta-none" hidden={keys.length > 0}>
          This phase's template uses no {"{meta:…}"} values.
        </p>
        <p class="hint" id="backload-meta-several" hidden={keys.length === 0}>
          Comma-separated values make several tasks, one per position: a,b and x,y give the tasks (a, x) and
          (b, y), so every filled field needs the same number of values.
        </p>
        <p class="hint" id="backload-meta-rule" hidden={phase?.ruleMeta === undefined}>
          Left all empty, the rule's meta= values are used (shown greyed).
        </p>
      </div>
      <div class="fields spaced">
        <div class="field">
          <label for="backload-meta-file">
            meta-file{" "}
            <span id="backload-meta-file-rule" hidden={!fromFile}>
              (from the rule)
            </span>
            <span id="backload-meta-file-optional" hidden={fromFile}>
              (optional: rows from a file instead of values)
            </span>
          </label>
          <input
            id="backload-meta-file"
            type="text"
            value={phase?.metaFile ?? ""}
            placeholder="path or glob of a CSV or NDJSON file"
            autocomplete="off"
            size={40}
          />
        </div>
      </div>
    </fieldset>
  );
}

/** The script builds the same input for each key of a phase chosen later. */
function MetaInput(props: { name: string; rule: string | undefined }) {
  return (
    <div class="field">
      <label for={`backload-meta-${props.name}`}>{props.name}</label>
      <input
        id={`backload-meta-${props.name}`}
        type="text"
        data-meta-key={props.name}
        placeholder={props.rule ?? "value, or a,b,c"}
        autocomplete="off"
      />
    </div>
  );
}

function Actions(props: { canExecute: boolean; disabled: boolean }) {
  return (
    <div class="actions">
      <button type="submit" id="backload-preview" class="primary" disabled={props.disabled}>
        Preview
      </button>
      <button
        type="button"
        id="backload-execute"
        class="danger"
        disabled={props.disabled || !props.canExecute}
        aria-describedby={props.canExecute ? undefined : "backload-execute-note"}
      >
        Execute
      </button>
      <button type="reset" id="backload-reset">
        Reset
      </button>
      {props.canExecute ? null : (
        <span id="backload-execute-note" class="muted">
          executing needs the admin token (http.admin_token)
        </span>
      )}
    </div>
  );
}

export function BackloadPage(props: BackloadPageProps) {
  const found = props.phases.find((phase) => phaseValue(phase) === props.selected);
  const chosen = found ?? props.phases[0];
  const notFound = Boolean(props.selected) && found === undefined;
  return (
    <Layout title="Backload" path="/web/backload" live={false}>
      <p class="muted">
        Create the tasks of a phase for chosen times. Preview first: a dry run lists the tasks without sending
        them.
      </p>
      {notFound ? <p class="warn">No phase {props.selected} in the loaded workflows.</p> : null}
      {props.phases.length === 0 ? <p class="warn">No workflow phases are loaded.</p> : null}
      <form id="backload-form" class="backload" method="get" action="/web/backload">
        <PhasePicker phases={props.phases} chosen={chosen} />
        <TimeFields today={props.today} by={chosen?.by ?? "day"} />
        <MetaFields phase={chosen} />
        <Actions canExecute={props.canExecute} disabled={props.phases.length === 0} />
        <noscript>
          <p class="hint">
            Preview and Execute need JavaScript; without it, POST the request to /api/v1/backload (see
            /api/openapi.json).
          </p>
        </noscript>
      </form>
      <div id="backload-error" class="errorbox" role="alert" hidden />
      <section id="backload-result" aria-live="polite" hidden>
        <p id="backload-status" />
        <p id="backload-count" />
        <details>
          <summary>request</summary>
          <pre id="backload-request" />
        </details>
        <div class="scroll">
          <table id="backload-tasks">
            <thead>
              <tr>
                <th>#</th>
                <th>type</th>
                <th>job</th>
                <th>info</th>
                <th>meta</th>
              </tr>
            </thead>
            <tbody />
          </table>
        </div>
      </section>
      <script
        type="application/json"
        id="backload-phases"
        dangerouslySetInnerHTML={{ __html: scriptJson(props.phases) }}
      />
      <script src="/static/backload.js" defer />
    </Layout>
  );
}
