/**
 * The page frame every view shares: navigation, the day picker, and the styles (inline: no build, no CDN). Works on
 * a phone (one column, tables scroll) and follows the system's dark mode. hono/jsx escapes every value it renders,
 * which matters here: task info, meta and messages are user data.
 */
import type { Child } from "hono/jsx";

const style = `
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
`;

export const pages = [
  ["/web/tasks", "Tasks"],
  ["/web/files", "Files"],
  ["/web/alerts", "Alerts"],
  ["/web/workflows", "Workflows"],
  ["/web/about", "About"],
] as const;

/**
 * Pages follow the server's changes: on each `change` event (at most every 700 ms) the page fetches itself and
 * swaps its <main>, so a task turns from running to complete without a reload. Forms being typed in are left alone.
 */
const live = `(() => {
  if (!window.EventSource) return;
  let timer;
  const refresh = async () => {
    const active = document.activeElement;
    if (active && active.closest && active.closest("form")) return;
    const r = await fetch(location.href, { credentials: "same-origin" });
    if (!r.ok) return;
    const doc = new DOMParser().parseFromString(await r.text(), "text/html");
    const next = doc.querySelector("main");
    if (next) document.querySelector("main").replaceWith(next);
  };
  const events = new EventSource("/api/v1/events");
  events.addEventListener("change", () => { clearTimeout(timer); timer = setTimeout(refresh, 700); });
})();`;

export function Layout(props: { title: string; path: string; live?: boolean; children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · taskmaster`}</title>
        <style>{style}</style>
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
        <main>
          <h1>{props.title}</h1>
          {props.children}
        </main>
        {props.live === false ? null : <script dangerouslySetInnerHTML={{ __html: live }} />}
      </body>
    </html>
  );
}

/** The day picker: a date input that reloads the page for that day. */
export function DayPicker(props: { day: string; days: readonly string[]; action: string }) {
  return (
    <form class="filters" method="get" action={props.action}>
      <label>
        day
        <input type="date" name="date" value={props.day} list="days-with-data" />
      </label>
      <datalist id="days-with-data">
        {props.days.slice(0, 90).map((d) => (
          <option value={d} />
        ))}
      </datalist>
      <button type="submit">show</button>
    </form>
  );
}

export function Badge(props: { value: string }) {
  const value = props.value || "running";
  return <span class={`badge ${value}`}>{value}</span>;
}

/** Milliseconds as people read them: 850 ms, 12.3 s, 4 min 10 s, 2 h 5 min. */
export function duration(ms: number | null): string {
  if (ms === null) return "";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  if (m < 60) return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A stored UTC time shown compactly (date and time to the second). */
export function when(iso: string | null | undefined): string {
  return iso ? iso.replace("T", " ").slice(0, 19) : "";
}
