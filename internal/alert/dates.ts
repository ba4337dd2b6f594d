/**
 * Data-time ranges for people: flowlord's `PrintDates`, which turns a bag of task times into
 * `2018/04/09T03-2018/04/09T05,2018/04/09T11`. Owns only the formatting; everything is UTC.
 */

const granularities = ["monthly", "daily", "hourly"] as const;
type Granularity = (typeof granularities)[number];

const hourMs = 3_600_000;
const pad = (n: number) => String(n).padStart(2, "0");

function format(t: Date, g: Granularity): string {
  const month = `${t.getUTCFullYear()}/${pad(t.getUTCMonth() + 1)}`;
  if (g === "monthly") return month;
  const day = `${month}/${pad(t.getUTCDate())}`;
  return g === "daily" ? day : `${day}T${pad(t.getUTCHours())}`;
}

const monthIndex = (t: Date) => t.getUTCFullYear() * 12 + t.getUTCMonth();
const dayIndex = (t: Date) => Math.floor(t.getTime() / (24 * hourMs));

/**
 * The coarsest step the times allow: two distinct times in one month rule out monthly ranges, two in one day rule
 * out daily ones. Sorted input, so neighbours are enough.
 */
function granularityOf(sorted: readonly Date[]): Granularity {
  let g: Granularity = "monthly";
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1] as Date;
    const t = sorted[i] as Date;
    if (t.getTime() === prev.getTime()) continue;
    if (dayIndex(t) === dayIndex(prev)) return "hourly";
    if (monthIndex(t) === monthIndex(prev)) g = "daily";
  }
  return g;
}

function isNext(prev: Date, t: Date, g: Granularity): boolean {
  if (t.getTime() === prev.getTime()) return true;
  if (g === "hourly") return t.getTime() - prev.getTime() === hourMs;
  if (g === "daily") return dayIndex(t) - dayIndex(prev) === 1;
  return monthIndex(t) - monthIndex(prev) === 1;
}

/**
 * Sorted, consecutive runs joined by `,`; a run of two or more distinct times prints `start-end` at the detected
 * granularity, anything else (one time, or one time repeated) prints its hour.
 * Times are truncated to the hour first: task times are hourly, and a stray minute must not split a run.
 */
export function printDates(times: readonly Date[]): string {
  const sorted = times
    .map((t) => new Date(Math.floor(t.getTime() / hourMs) * hourMs))
    .sort((a, b) => a.getTime() - b.getTime());
  const first = sorted[0];
  if (first === undefined) return "";
  const g = granularityOf(sorted);
  const runs: string[] = [];
  let start = first;
  let prev = first;
  const close = () => {
    const distinct = prev.getTime() !== start.getTime();
    runs.push(distinct ? `${format(start, g)}-${format(prev, g)}` : format(start, "hourly"));
  };
  for (const t of sorted.slice(1)) {
    if (!isNext(prev, t, g)) {
      close();
      start = t;
    }
    prev = t;
  }
  close();
  return runs.join(",");
}
