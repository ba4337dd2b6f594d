/**
 * The month calendar beside a day's page: the month of the day shown, Monday first, each day a link to that day's
 * page with the page's other parameters kept (a filter survives moving between days). Days the cache has records
 * for are marked, so a person sees where to look before clicking. Pure: the caller passes today and the days.
 * Divs in a CSS grid rather than a table, so that the page's only table rows are its records.
 */

const monthNames = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
] as const;
const weekdays = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"] as const;

export interface CalendarProps {
  /** The day shown (YYYY-MM-DD); its month is drawn. */
  readonly day: string;
  /** The days that have records (YYYY-MM-DD). */
  readonly days: readonly string[];
  /** Today, UTC (YYYY-MM-DD). */
  readonly today: string;
  /** The page the days link to, e.g. `/web/tasks`. */
  readonly path: string;
  /** Query parameters every link keeps; `date` is set per link. */
  readonly params: Readonly<Record<string, string>>;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");
/** A UTC date from its fields (`month` 0-based, rolling over); `setUTCFullYear`, as `Date.UTC` reads 0-99 as 19xx. */
const utcDate = (year: number, month: number, day: number) => {
  const t = new Date(0);
  t.setUTCFullYear(year, month, day);
  return t;
};
/** Days in a month; `month` is 1-based (day 0 of the next month is this month's last). */
const daysIn = (year: number, month: number) => utcDate(year, month, 0).getUTCDate();

/** The same day of the month `delta` months away, moved back to the month's last day when it has fewer. */
export function shiftMonth(day: string, delta: number): string {
  const [year = 1970, month = 1, date = 1] = day.split("-").map(Number);
  const first = utcDate(year, month - 1 + delta, 1);
  const y = first.getUTCFullYear();
  const m = first.getUTCMonth() + 1;
  return `${pad(y, 4)}-${pad(m)}-${pad(Math.min(date, daysIn(y, m)))}`;
}

export function Calendar(props: CalendarProps) {
  const [year = 1970, month = 1] = props.day.split("-").map(Number);
  const withData = new Set(props.days);
  const href = (date: string) => `${props.path}?${new URLSearchParams({ ...props.params, date }).toString()}`;
  // Monday is 0: JavaScript counts from Sunday.
  const blanks = (utcDate(year, month - 1, 1).getUTCDay() + 6) % 7;
  const dates = Array.from(
    { length: daysIn(year, month) },
    (_, i) => `${pad(year, 4)}-${pad(month)}-${pad(i + 1)}`,
  );
  const previous = shiftMonth(props.day, -1);
  const next = shiftMonth(props.day, 1);
  const monthName = (day: string) => monthNames[Number(day.slice(5, 7)) - 1] ?? "";
  return (
    <nav class="calendar" aria-label={`days of ${monthName(props.day)} ${year}`}>
      <div class="cal-head">
        <a href={href(previous)} rel="prev" aria-label={`previous month, ${monthName(previous)}`}>
          ‹ {monthName(previous).slice(0, 3)}
        </a>
        <b>
          {monthName(props.day)} {year}
        </b>
        <a href={href(next)} rel="next" aria-label={`next month, ${monthName(next)}`}>
          {monthName(next).slice(0, 3)} ›
        </a>
      </div>
      <div class="cal-grid">
        {weekdays.map((d) => (
          <span class="dow" aria-hidden="true">
            {d}
          </span>
        ))}
        {Array.from({ length: blanks }, () => (
          <span />
        ))}
        {dates.map((date) => {
          const has = withData.has(date);
          const classes = [has ? "has-data" : "", date === props.today ? "today" : ""].filter(Boolean);
          return (
            <a
              href={href(date)}
              class={classes.length > 0 ? classes.join(" ") : undefined}
              title={has ? "has data" : undefined}
              aria-current={date === props.day ? "date" : undefined}
              aria-label={`${date}${date === props.today ? ", today" : ""}${has ? ", has data" : ""}`}
            >
              {Number(date.slice(8))}
            </a>
          );
        })}
      </div>
      <p class="cal-foot">
        <a href={href(props.today)}>today</a>
        <span class="muted">
          {" "}
          · <span class="has-data">marked</span> days have data
        </span>
      </p>
    </nav>
  );
}
