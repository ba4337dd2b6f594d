/**
 * The tasks of a day per hour as a stacked bar chart: inline SVG drawn on the server, so it needs no script, no
 * library and no request of its own, and it is swapped with the rest of <main> when a live page refreshes. Colours
 * come from the same CSS classes as the result badges (via `currentColor`), so dark mode and the badges agree.
 */
import { type HourCounts, hourResults } from "../../internal/cache/index.ts";

// The drawing's own units; the SVG scales to the width it is given.
const left = 34;
const top = 8;
const slot = 20;
const bar = 14;
const plot = 120;
const width = left + 24 * slot + 4;
const height = top + plot + 18;

const hourText = (hour: number) => `${String(hour).padStart(2, "0")}:00`;
const total = (h: HourCounts) => hourResults.reduce((sum, r) => sum + h[r], 0);

/**
 * A round number at or above `n`, so the axis label reads well; the steps are fine enough that the tallest bar
 * fills most of the height. `n` is a whole count, so a step of 1.5 is only taken from 15 up and the result stays whole.
 */
function roundUp(n: number): number {
  const power = 10 ** Math.floor(Math.log10(n));
  return ([1, 1.5, 2, 3, 4, 5, 6, 8, 10].find((m) => m * power >= n) ?? 10) * power;
}

/** One hour's stacked bar, `complete` at the bottom; every segment says its hour, result and count on hover. */
function Bar(props: { hours: HourCounts; scale: number }) {
  const x = left + props.hours.hour * slot + (slot - bar) / 2;
  let y = top + plot;
  return (
    <g>
      {hourResults.map((result) => {
        const n = props.hours[result];
        if (n === 0) return null;
        // A single task among thousands would be too thin to see or to hover: at least one unit high.
        const h = Math.max(1, n * props.scale);
        y -= h;
        return (
          <rect class={result} x={x} y={y} width={bar} height={h}>
            <title>{`${hourText(props.hours.hour)} · ${result} ${n}`}</title>
          </rect>
        );
      })}
    </g>
  );
}

export function HourlyChart(props: { day: string; hours: readonly HourCounts[] }) {
  const totals = props.hours.map(total);
  const all = totals.reduce((a, b) => a + b, 0);
  if (all === 0) return <p class="muted chart-empty">no tasks this day</p>;
  const most = Math.max(...totals);
  const max = roundUp(most);
  const scale = plot / max;
  const busiest = props.hours[totals.indexOf(most)]?.hour ?? 0;
  const sums = hourResults.map((r) => [r, props.hours.reduce((sum, h) => sum + h[r], 0)] as const);
  const label = `Tasks per hour of ${props.day} (UTC): ${all} in all, most at ${hourText(busiest)} (${most})`;
  return (
    <figure class="chart">
      <svg
        class="hourly"
        role="img"
        aria-label={label}
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="xMinYMin meet"
      >
        {/* Grid lines at the top and the middle, where the middle is a whole number of tasks. */}
        {[max, max / 2].filter(Number.isInteger).map((v) => (
          <g class="grid">
            <line x1={left} x2={width - 4} y1={top + plot - v * scale} y2={top + plot - v * scale} />
            <text x={left - 4} y={top + plot - v * scale + 3} text-anchor="end">
              {v}
            </text>
          </g>
        ))}
        <line class="axis" x1={left} x2={width - 4} y1={top + plot} y2={top + plot} />
        {props.hours.map((h) => (
          <Bar hours={h} scale={scale} />
        ))}
        {props.hours.map((h) => (
          <text class="hour" x={left + h.hour * slot + slot / 2} y={height - 4} text-anchor="middle">
            {String(h.hour).padStart(2, "0")}
          </text>
        ))}
      </svg>
      <figcaption class="legend">
        {sums.map(([result, n]) => (
          <span>
            <span class={`swatch ${result}`} aria-hidden="true" /> {result} {n}
          </span>
        ))}
        <span class="muted">hour of creation, UTC</span>
      </figcaption>
    </figure>
  );
}
