/**
 * The page frame every view shares: navigation, the day picker, and the styles. Works on a phone (one column, tables
 * scroll) and follows the system's dark mode. hono/jsx escapes every value it renders, which matters here: task
 * info, meta and messages are user data. Styles and scripts come from `/static/` (no build, no CDN): a page holds
 * no inline style or script, so the Content-Security-Policy allows only this origin's files.
 */
import type { Child } from "hono/jsx";

/** The rules every page uses; `stylesheet.ts` serves them with the pages' own. */
export const layoutCss = `
:root { color-scheme: light dark; --bg:#fff; --fg:#1d232a; --muted:#667; --line:#dde1e6; --accent:#1f6feb;
  --ok:#1a7f37; --err:#cf222e; --warn:#9a6700; --run:#0969da; }
@media (prefers-color-scheme: dark) { :root { --bg:#0d1117; --fg:#e6edf3; --muted:#8b949e; --line:#30363d;
  --accent:#58a6ff; --ok:#3fb950; --err:#f85149; --warn:#d29922; --run:#58a6ff; } }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, sans-serif; background:var(--bg); color:var(--fg); }
header { display:flex; flex-wrap:wrap; gap:.25rem 1rem; align-items:center; padding:.6rem 1rem; border-bottom:1px solid var(--line); }
header b { font-size:1.05rem; margin-right:.5rem; }
nav a { margin-right:.8rem; color:var(--accent); text-decoration:none; }
nav a[aria-current=page] { font-weight:600; text-decoration:underline; }
main { padding:1rem; max-width:1400px; }
form.filters { display:flex; flex-wrap:wrap; gap:.5rem; align-items:end; margin:.5rem 0 1rem; }
form.filters label { display:flex; flex-direction:column; font-size:.8rem; color:var(--muted); }
input, select, button { font:inherit; padding:.3rem .45rem; border:1px solid var(--line); border-radius:6px; background:var(--bg); color:var(--fg); }
button { cursor:pointer; }
.scroll { overflow-x:auto; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:.35rem .5rem; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-size:.8rem; color:var(--muted); white-space:nowrap; }
td.wrap { word-break:break-all; max-width:32rem; }
.badge { padding:.05rem .45rem; border-radius:999px; font-size:.8rem; border:1px solid currentColor; white-space:nowrap; }
.complete, .ok, .triggered { color:var(--ok); } .error, .failed { color:var(--err); }
.alert, .warn, .warning, .repeat, .unmatched { color:var(--warn); } .running { color:var(--run); }
.counts { display:flex; flex-wrap:wrap; gap:.5rem 1.2rem; margin:.25rem 0 .75rem; }
.muted { color:var(--muted); }
pre { white-space:pre-wrap; word-break:break-all; }
.cards { display:flex; flex-wrap:wrap; gap:.5rem; margin:.25rem 0 .75rem; }
.card { border:1px solid var(--line); border-radius:6px; padding:.4rem .6rem; }
.card.resolved { opacity:.7; }
.resolved { color:var(--ok); }
.notice { margin:.75rem 1rem 0; padding:.5rem .75rem; border:1px solid currentColor; border-radius:6px; }
button.act { font-size:.8rem; padding:.15rem .45rem; margin:.1rem; }
th a { color:inherit; text-decoration:none; } th a:hover { text-decoration:underline; }
th[aria-sort] { color:var(--fg); }
.day-nav { display:flex; flex-wrap:wrap; gap:.5rem 2rem; align-items:flex-start; margin:.5rem 0 1rem; }
.day-nav > .summary { flex:1 1 24rem; min-width:0; }
.day-nav form.filters { margin-top:0; }
.calendar { width:15.5rem; font-size:.85rem; }
.calendar a { color:var(--accent); text-decoration:none; }
.cal-head { display:flex; justify-content:space-between; align-items:baseline; margin-bottom:.25rem; }
.cal-grid { display:grid; grid-template-columns:repeat(7, 1fr); gap:2px; text-align:center; }
.cal-grid .dow { color:var(--muted); font-size:.75rem; }
.cal-grid a { display:block; padding:.15rem 0; border-radius:4px; border:1px solid transparent; color:var(--muted); }
.calendar .has-data { color:var(--accent); font-weight:600; }
.cal-grid a.has-data { background:color-mix(in srgb, var(--accent) 14%, transparent); }
.cal-grid a.today { border-color:var(--fg); }
.cal-grid a[aria-current=date] { background:var(--accent); color:var(--bg); }
.cal-foot { margin:.35rem 0 0; }
.chart { margin:0 0 1rem; max-width:46rem; }
.chart svg { display:block; width:100%; height:auto; }
.chart rect { fill:currentColor; } .chart rect:hover { opacity:.75; }
.chart text { fill:var(--muted); font-size:9px; }
.chart line { stroke:var(--line); }
.chart .warn { opacity:.6; }
.legend { display:flex; flex-wrap:wrap; gap:.25rem 1rem; font-size:.8rem; margin-top:.25rem; }
.swatch { display:inline-block; width:.7rem; height:.7rem; border-radius:2px; background:currentColor; vertical-align:-.05rem; }
/* On a phone a wide table scrolls sideways in its box instead of squeezing text to a letter a line. */
@media (max-width: 760px) { .scroll table { min-width: 720px; } td.wrap { word-break: normal; overflow-wrap: break-word; } }
`;

export const pages = [
  ["/web/tasks", "Tasks"],
  ["/web/files", "Files"],
  ["/web/alerts", "Alerts"],
  ["/web/workflows", "Workflows"],
  ["/web/backload", "Backload"],
  ["/web/about", "About"],
] as const;

export function Layout(props: { title: string; path: string; live?: boolean; children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · taskmaster`}</title>
        <link rel="stylesheet" href="/static/style.css" />
      </head>
      <body>
        <header>
          <b>taskmaster</b>
          <nav>
            {pages.map(([href, name]) => (
              <a href={href} aria-current={props.path === href ? "page" : undefined}>
                {name}
              </a>
            ))}
          </nav>
        </header>
        {/* Outside <main>, so a live refresh does not wipe an action's outcome. */}
        <p id="action-result" class="notice" role="status" aria-live="polite" hidden />
        <main>
          <h1>{props.title}</h1>
          {props.children}
        </main>
        {props.live === false ? null : <script src="/static/live.js" defer />}
        <script src="/static/actions.js" defer />
      </body>
    </html>
  );
}

/**
 * A date input that loads the page for that day: for jumping further than the calendar's months. `params` are kept
 * as hidden fields, as the calendar's links keep them.
 */
export function DayPicker(props: { day: string; action: string; params?: Readonly<Record<string, string>> }) {
  return (
    <form class="filters" method="get" action={props.action}>
      {Object.entries(props.params ?? {}).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <label>
        day
        <input type="date" name="date" value={props.day} />
      </label>
      <button type="submit">show</button>
    </form>
  );
}

export function Badge(props: { value: string }) {
  const value = props.value || "running";
  return <span class={`badge ${value}`}>{value}</span>;
}

/** Milliseconds as people read them: 850 ms, 12.3 s, 4 min 10 s, 5 min, 2 h 5 min, 1 h. */
export function duration(ms: number | null): string {
  if (ms === null) return "";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  if (m < 60) return s === 0 ? `${m} min` : `${m} min ${s} s`;
  return m % 60 === 0 ? `${m / 60} h` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A stored UTC time shown compactly (date and time to the second). */
export function when(iso: string | null | undefined): string {
  return iso ? iso.replace("T", " ").slice(0, 19) : "";
}
