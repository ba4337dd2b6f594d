/**
 * Rules between keys, applied once every layer is merged: flowlord's `status_port` sets the port of
 * `http.listen`; `slack.max_frequency` defaults to, and is raised to, 16 × min_frequency; `slack.task_ttl` is at
 * least an hour (both as flowlord); the dedupe window fits in the streams' max age; a file is remembered at least as
 * long as scans look back; a token is given once; a backup location in a bucket has the keys to reach it. Then the
 * values read from the final settings: `http.listen` as host and port.
 */
import { type BucketAccess, missingAccess, schemeOf } from "../bucket/index.ts";
import { formatDuration } from "../rule/index.ts";
import { formatListen, parseListen } from "./checks.ts";
import { type Assignment, configError, configWarning } from "./layer.ts";
import type { ConfigProblem, ConfigSource, ListenAddress, Value } from "./types.ts";

export interface Setting {
  readonly value: Value | undefined;
  /** Where the value was set; undefined for a default. */
  readonly from?: Assignment | undefined;
}

export type Settings = Map<string, Setting>;

const hour = 3_600_000;
const rank: Record<ConfigSource, number> = { file: 1, env: 2, flag: 3 };

function rankOf(setting: Setting | undefined): number {
  return setting?.from === undefined ? 0 : rank[setting.from.source];
}

function numberAt(settings: Settings, path: string): number | undefined {
  const value = settings.get(path)?.value;
  return typeof value === "number" ? value : undefined;
}

/** A problem about the setting at `path`, placed where its value was written. */
function problemAt(
  severity: "error" | "warning",
  settings: Settings,
  path: string,
  message: string,
): ConfigProblem {
  const from = settings.get(path)?.from;
  const make = severity === "error" ? configError : configWarning;
  if (from === undefined) return make(path, message, { source: "file" });
  const key = from.source === "file" ? from.written : path;
  return make(key, message, { source: from.source, line: from.line, column: from.column });
}

export function deriveSettings(settings: Settings): ConfigProblem[] {
  return [
    ...applyStatusPort(settings),
    ...applyMaxFrequency(settings),
    ...applyTaskTtl(settings),
    ...fitDuplicateWindow(settings),
    ...fitFileRetention(settings),
    ...oneTokenSource(settings, "http.read_token"),
    ...oneTokenSource(settings, "http.admin_token"),
    ...backupAccess(settings),
  ];
}

/** A file remembered for less than the look-back would be triggered again by the next scan. */
function fitFileRetention(settings: Settings): ConfigProblem[] {
  const lookback = numberAt(settings, "files.lookback") ?? 0;
  const retention = numberAt(settings, "files.retention") ?? 0;
  if (retention >= lookback) return [];
  const from = settings.get("files.retention")?.from;
  settings.set("files.retention", { value: lookback, from });
  const message = `raised to files.lookback (${formatDuration(lookback)}): a file forgotten sooner would be triggered again by a scan`;
  return [problemAt("warning", settings, "files.retention", message)];
}

function applyStatusPort(settings: Settings): ConfigProblem[] {
  const port = settings.get("status_port");
  const listen = settings.get("http.listen");
  if (typeof port?.value !== "number" || typeof listen?.value !== "string") return [];
  if (port.value === 0) {
    const message = "ignored: 0 turned flowlord's HTTP server off; taskmaster always serves on http.listen";
    return [problemAt("warning", settings, "status_port", message)];
  }
  const address = parseListen(listen.value);
  // A listen address given with more precedence (a flag over the file) is the one meant.
  if (rankOf(listen) > rankOf(port) || typeof address === "string") return [];
  const moved = formatListen({ host: address.host, port: port.value });
  settings.set("http.listen", { value: moved, from: listen.from });
  if (rankOf(listen) < rankOf(port) || address.port === port.value) return [];
  const message = `sets the port of http.listen: listening on "${moved}", not "${listen.value}"`;
  return [problemAt("warning", settings, "status_port", message)];
}

/**
 * `http.listen` as host and port, read once for every user of the config. Its value passed its check: a wrong one
 * was reported and left out for the default, and status_port is bounded to a port.
 */
export function listenAddress(settings: Settings): ListenAddress {
  const text = stringAt(settings, "http.listen");
  const address = parseListen(text);
  if (typeof address === "string") throw new Error(`http.listen was resolved to "${text}": ${address}`);
  return address;
}

function applyMaxFrequency(settings: Settings): ConfigProblem[] {
  const min = numberAt(settings, "slack.min_frequency") ?? 0;
  const max = numberAt(settings, "slack.max_frequency");
  const from = settings.get("slack.max_frequency")?.from;
  if (max !== undefined && max > min) return [];
  settings.set("slack.max_frequency", { value: 16 * min, from });
  if (max === undefined) return [];
  const message =
    `${formatDuration(max)} is not above slack.min_frequency ${formatDuration(min)}; ` +
    `using 16 × min_frequency = ${formatDuration(16 * min)}, as flowlord does`;
  return [problemAt("warning", settings, "slack.max_frequency", message)];
}

function applyTaskTtl(settings: Settings): ConfigProblem[] {
  const ttl = numberAt(settings, "slack.task_ttl");
  if (ttl === undefined || ttl >= hour) return [];
  settings.set("slack.task_ttl", { value: hour, from: settings.get("slack.task_ttl")?.from });
  const message = `${formatDuration(ttl)} is below the least of 1h; using 1h, as flowlord does`;
  return [problemAt("warning", settings, "slack.task_ttl", message)];
}

/** JetStream refuses a stream whose duplicate window is longer than its max age. */
function fitDuplicateWindow(settings: Settings): ConfigProblem[] {
  const maxAge = numberAt(settings, "streams.max_age");
  const window = numberAt(settings, "streams.duplicate_window");
  if (maxAge === undefined || window === undefined || maxAge === 0 || window <= maxAge) return [];
  settings.set("streams.duplicate_window", {
    value: maxAge,
    from: settings.get("streams.duplicate_window")?.from,
  });
  const path =
    rankOf(settings.get("streams.duplicate_window")) > 0 ? "streams.duplicate_window" : "streams.max_age";
  const message =
    `streams.duplicate_window ${formatDuration(window)} is longer than streams.max_age ` +
    `${formatDuration(maxAge)}, which JetStream refuses; using ${formatDuration(maxAge)}`;
  return [problemAt("warning", settings, path, message)];
}

/** A token given both inline and as a file is a mistake: which one was meant cannot be guessed. */
function oneTokenSource(settings: Settings, path: string): ConfigProblem[] {
  const filePath = `${path}_file`;
  if (settings.get(path)?.value === "" || settings.get(filePath)?.value === "") return [];
  const problem = problemAt("error", settings, filePath, `set either ${path} or ${filePath}, not both`);
  settings.set(filePath, { value: "" });
  return [problem];
}

/** Backups to a bucket that cannot be reached would be skipped every time: the service is not started so. */
function backupAccess(settings: Settings): ConfigProblem[] {
  const text = stringAt(settings, "cache.backup_path").trim();
  const scheme = schemeOf(text);
  if (scheme !== "s3" && scheme !== "gs") return [];
  const access: BucketAccess = {
    s3: {
      endpoint: stringAt(settings, "cache.s3.endpoint"),
      region: stringAt(settings, "cache.s3.region"),
      accessKey: stringAt(settings, "cache.s3.access_key"),
      secretKey: stringAt(settings, "cache.s3.secret_key"),
      forcePathStyle: settings.get("cache.s3.force_path_style")?.value === true,
    },
    gcs: {
      endpoint: stringAt(settings, "cache.gcs.endpoint"),
      accessKey: stringAt(settings, "cache.gcs.access_key"),
      secretKey: stringAt(settings, "cache.gcs.secret_key"),
    },
  };
  const missing = missingAccess(scheme, access);
  if (missing === undefined) return [];
  return [problemAt("error", settings, "cache.backup_path", `${text} cannot be reached: ${missing}`)];
}

function stringAt(settings: Settings, path: string): string {
  const value = settings.get(path)?.value;
  return typeof value === "string" ? value : "";
}
