/**
 * Rendering a template for a wall-clock time: flowlord's `tmpl.Parse`, with its token set and case rules.
 *
 * Two fixes over flowlord: `{ts}` is accepted as well as `{TS}` (its README documents the lowercase form), and every
 * `{uuid}` is replaced, all by the same value (flowlord replaced only the first). `{meta:KEY}` is not handled here
 * but in `meta.ts`, because it needs the parent task rather than a time.
 *
 * The substitution is a single regex pass: text produced by a token (a host name, say) is never scanned again, so
 * it cannot inject further tokens. No template engine and no eval: a template is untrusted workflow text.
 */

import { pad } from "./timetext.ts";

/** What a render needs besides the time; passed in so rendering stays pure and testable. */
export interface TemplateEnv {
  /** The host name `{HOST}` and `{POD}` are made from. */
  readonly host: string;
  /** Returns a full UUID v4 string; `{uuid}` takes its first 8 hex characters. */
  readonly newUuid: () => string;
}

/**
 * Every token, with flowlord's case rules spelled out: slugs and `{min}` and `{uuid}` in one case only, the date
 * parts in any mix of case (`{Yyyy}`), `{HOST}` and `{POD}` case-insensitive, `{TS}` or `{ts}`.
 * `[Mm]{2}` cannot swallow `{min}`: it needs the closing brace after exactly two letters.
 */
const tokenPattern =
  /\{(SLUG|HOUR_SLUG|DAY_SLUG|MONTH_SLUG|TS|ts|[Yy]{4}|[Yy]{2}|[Mm]{2}|[Dd]{2}|[Hh]{2}|min|[Hh][Oo][Ss][Tt]|[Pp][Oo][Dd]|uuid)\}/g;

/** `{POD}`: the last two `-` segments of the host (a Kubernetes pod's replica-set hash and pod suffix). */
export function podName(host: string): string {
  const parts = host.split("-");
  return parts.length < 2 ? host : parts.slice(-2).join("-");
}

/** The text of each time token for one wall clock. */
function timeParts(wall: Date) {
  const yyyy = pad(wall.getUTCFullYear(), 4);
  const mm = pad(wall.getUTCMonth() + 1);
  const dd = pad(wall.getUTCDate());
  const hh = pad(wall.getUTCHours());
  const min = pad(wall.getUTCMinutes());
  const ss = pad(wall.getUTCSeconds());
  return { yyyy, yy: yyyy.slice(-2), mm, dd, hh, min, ts: `${yyyy}${mm}${dd}T${hh}${min}${ss}` };
}

/**
 * Splits off the part a `#` protects: from the first `#` on. When that first `#` is the first character nothing is
 * protected, not even after a later `#` (flowlord looks at the first `#` only).
 */
function splitAtHash(template: string): [head: string, tail: string] {
  const hash = template.indexOf("#");
  return hash > 0 ? [template.slice(0, hash), template.slice(hash)] : [template, ""];
}

/**
 * Renders `template` for the wall-clock time `wall` (UTC fields are printed as they are).
 *
 * `null` is flowlord's zero time: the template comes back unchanged, `{host}` and `{uuid}` included. An invalid
 * Date is treated the same way rather than printing "NaN". Never throws for any template string.
 */
export function render(template: string, wall: Date | null, env: TemplateEnv): string {
  if (wall === null || Number.isNaN(wall.getTime())) return template;
  const [head, tail] = splitAtHash(template);
  if (!head.includes("{")) return template;

  const t = timeParts(wall);
  // One uuid per render, drawn only when the template asks for one.
  let uuid: string | undefined;
  const replaced = head.replace(tokenPattern, (_match, name: string) => {
    switch (name.toUpperCase()) {
      case "SLUG":
      case "HOUR_SLUG":
        return `${t.yyyy}/${t.mm}/${t.dd}/${t.hh}`;
      case "DAY_SLUG":
        return `${t.yyyy}/${t.mm}/${t.dd}`;
      case "MONTH_SLUG":
        return `${t.yyyy}/${t.mm}`;
      case "TS":
        return t.ts;
      case "YYYY":
        return t.yyyy;
      case "YY":
        return t.yy;
      case "MM":
        return t.mm;
      case "DD":
        return t.dd;
      case "HH":
        return t.hh;
      case "MIN":
        return t.min;
      case "HOST":
        return env.host;
      case "POD":
        return podName(env.host);
      default:
        // Only `uuid` is left: the pattern admits nothing else.
        uuid ??= env.newUuid().slice(0, 8);
        return uuid;
    }
  });
  return replaced + tail;
}
