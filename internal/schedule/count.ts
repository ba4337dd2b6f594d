/**
 * Counts a cron expression's matching walls in a range without visiting each one (pure): day by day with
 * cron-parser, and within a day by arithmetic over the hour, minute and second values. It gives the "and N
 * more" of a long range, where walking a per-second expression over a year would take minutes. Walls, not
 * instants: a day with a daylight-saving change can be off by an hour's slots (see walker.ts).
 */
import { CronExpressionParser } from "cron-parser";

const dayMs = 86_400_000;
/** Matching days counted one by one (about 27 years of a daily expression); the rest is extrapolated. */
const maxDays = 10_000;

/** The number of walls matching the six-field `expression` in (from, to]. */
export function countWalls(expression: string, from: number, to: number): number {
  const first = Math.floor(from / 1000) + 1;
  const last = Math.floor(to / 1000);
  if (last < first) return 0;
  const { fields } = CronExpressionParser.parse(expression, { tz: "UTC" });
  const timesBefore = dayCounter(
    numbers(fields.hour.values),
    numbers(fields.minute.values),
    numbers(fields.second.values),
  );
  const [, , , dayOfMonth, month, dayOfWeek] = expression.split(/\s+/);
  const startDay = Math.floor(from / dayMs) * dayMs;
  const days = CronExpressionParser.parse(`0 0 0 ${dayOfMonth} ${month} ${dayOfWeek}`, {
    tz: "UTC",
    currentDate: new Date(startDay - 1),
  });
  let count = 0;
  let walked = 0;
  for (let day = days.next().getTime(); day <= to; day = days.next().getTime()) {
    if (walked === maxDays) return Math.round(count + (count * (to - day)) / (day - startDay));
    const dayStart = day / 1000;
    const low = Math.max(0, first - dayStart);
    const high = Math.min(86_399, last - dayStart);
    if (low <= high) count += timesBefore(high + 1) - timesBefore(low);
    walked += 1;
  }
  return count;
}

function numbers(values: readonly (number | string)[]): number[] {
  return values.map(Number).filter((value) => Number.isInteger(value));
}

/** A function giving how many matching times of day fall before `limit` seconds after midnight. */
function dayCounter(hours: number[], minutes: number[], seconds: number[]): (limit: number) => number {
  return (limit) => {
    let count = 0;
    for (const hour of hours) {
      const hourStart = hour * 3600;
      if (hourStart + 3600 <= limit) count += minutes.length * seconds.length;
      else if (hourStart < limit) {
        for (const minute of minutes) {
          const minuteStart = hourStart + minute * 60;
          if (minuteStart + 60 <= limit) count += seconds.length;
          else if (minuteStart < limit)
            count += seconds.filter((second) => minuteStart + second < limit).length;
        }
      }
    }
    return count;
  };
}
