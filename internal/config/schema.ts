/**
 * The schema: one entry per config key, the single source for defaults, environment variable names, flags,
 * type checks, the table in docs/configuration.md and redaction. To add a key, add a line here, a field to
 * `Config` (`schema.test.ts` checks that the two agree) and a row to that table (`test/docs.test.ts` checks it).
 */
import {
  checkBackupPath,
  checkBucketName,
  checkHostNames,
  checkHttpUrl,
  checkListen,
  checkNatsUrls,
  checkNotEmpty,
  checkOptionalHttpUrl,
  checkOptionalSubject,
  checkStreamName,
  checkSubject,
  checkSubjectPrefix,
  checkZone,
} from "./checks.ts";
import { type ConfigKey, type KeyType, logFormats, logLevels, type Value } from "./types.ts";

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;

type KeyOptions = Partial<Pick<ConfigKey, "secret" | "aliases" | "choices" | "min" | "max" | "check">>;

function camel(segment: string): string {
  return segment.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

function key(
  path: string,
  type: KeyType,
  defaultValue: Value | undefined,
  doc: string,
  options: KeyOptions = {},
): ConfigKey {
  return {
    path,
    field: path.split(".").map(camel),
    env: `TASKMASTER_${path.toUpperCase().replaceAll(".", "_")}`,
    flag: `--${path}`,
    type,
    default: defaultValue,
    doc,
    secret: options.secret ?? false,
    aliases: options.aliases ?? [],
    ...(options.choices === undefined ? {} : { choices: options.choices }),
    ...(options.min === undefined ? {} : { min: options.min }),
    ...(options.max === undefined ? {} : { max: options.max }),
    ...(options.check === undefined ? {} : { check: options.check }),
  };
}

const secret = { secret: true } as const;

/** Every key taskmaster reads, in the order docs/configuration.md lists them. */
export const configKeys: readonly ConfigKey[] = [
  key("workflow", "string", "config/workflows", "workflow file or directory", { check: checkNotEmpty }),
  key("refresh", "duration", 15 * minute, "how often the workflow path is rescanned", { min: second }),
  key("done_topic", "string", "done", "subject finished tasks arrive on", { check: checkSubject }),
  key("file_topic", "topic", "files", 'subject file messages arrive on; "" or "-" turns it off', {
    check: checkOptionalSubject,
  }),
  key("failed_topic", "topic", "retry-failed", 'subject exhausted retries go to; "" or "-" turns it off', {
    check: checkOptionalSubject,
  }),
  key("host", "string", "localhost", "host name used in links (the Slack digest)"),
  key("status_port", "integer", undefined, "flowlord's HTTP port: sets the port of http.listen", {
    min: 0,
    max: 65535,
  }),

  key(
    "nats.url",
    "string",
    "nats://127.0.0.1:4222",
    "server URL, or a comma-separated list; credentials in a URL are used unless nats.user, nats.pass or nats.token is set",
    { check: checkNatsUrls },
  ),
  key("nats.name", "string", "taskmaster", "connection name shown by the server"),
  key("nats.user", "string", "", "user name"),
  key("nats.pass", "string", "", "password", secret),
  key("nats.token", "string", "", "authentication token", secret),
  key("nats.nkey_seed_file", "string", "", "file holding an NKey seed"),
  key("nats.creds_file", "string", "", "credentials file (JWT and NKey seed)"),
  key("nats.tls_ca", "string", "", "CA certificate file for TLS"),
  key("nats.tls_cert", "string", "", "client certificate file for TLS"),
  key("nats.tls_key", "string", "", "client key file for TLS"),
  key("nats.subject_prefix", "string", "", 'put before every task subject, e.g. "tasks."', {
    check: checkSubjectPrefix,
  }),
  key("nats.connect_timeout", "duration", 5 * second, "how long to wait for the server", { min: 1 }),

  key("streams.max_age", "duration", 72 * hour, "how long a stream keeps messages; 0s for no limit", {
    min: 0,
  }),
  key("streams.max_bytes", "size", -1, 'bytes a stream may hold ("1GiB", "512MB"); -1 for no limit'),
  key("streams.duplicate_window", "duration", 5 * minute, "window for deduplicating published messages", {
    min: second,
  }),
  key("streams.replicas", "integer", 1, "replicas of each stream", { min: 1, max: 5 }),
  key("streams.tasks", "string", "TASKMASTER_TASKS", "stream holding tasks", { check: checkStreamName }),
  key("streams.done", "string", "TASKMASTER_DONE", "stream holding done messages", {
    check: checkStreamName,
  }),
  key("streams.files", "string", "TASKMASTER_FILES", "stream holding file messages", {
    check: checkStreamName,
  }),
  key("streams.failed", "string", "TASKMASTER_FAILED", "stream holding exhausted retries", {
    check: checkStreamName,
  }),

  key(
    "engine.stuck_after",
    "duration",
    5 * minute,
    "a message worked on this long is reported, and /readyz says not ready while one is",
    { min: second },
  ),

  key("cache.path", "string", "taskmaster.db", 'SQLite file of the history cache; "" for no cache', {
    aliases: ["sqlite.local_path", "cache.local_path"],
  }),
  key("cache.retention", "duration", 2160 * hour, "how long history is kept", {
    min: hour,
    aliases: ["sqlite.retention"],
  }),
  key(
    "cache.backup_path",
    "string",
    "",
    'where the cache is backed up: a folder, s3://bucket/prefix or gs://bucket/prefix; "" for none',
    { aliases: ["sqlite.backup_path"], check: checkBackupPath },
  ),
  key("cache.backup_interval", "duration", 15 * minute, "how often the cache is backed up", { min: second }),
  key("cache.backup_keep", "integer", 7, "backups kept", { min: 1, max: 1000 }),
  key("cache.s3.endpoint", "string", "", 'S3 endpoint URL; "" for AWS', { check: checkOptionalHttpUrl }),
  key("cache.s3.region", "string", "", "S3 region"),
  key("cache.s3.access_key", "string", "", "S3 access key id"),
  key("cache.s3.secret_key", "string", "", "S3 secret access key", secret),
  key("cache.s3.force_path_style", "boolean", false, "address buckets by path (MinIO)"),
  key(
    "cache.gcs.endpoint",
    "string",
    "https://storage.googleapis.com",
    "GCS XML API endpoint for gs:// URLs",
    {
      check: checkHttpUrl,
    },
  ),
  key("cache.gcs.access_key", "string", "", "GCS HMAC access id (gs:// backups and meta-files need one)"),
  key("cache.gcs.secret_key", "string", "", "GCS HMAC secret", secret),

  key("files.watch", "boolean", true, "watch the local paths of files= rules (absolute globs)"),
  key(
    "files.settle",
    "duration",
    second,
    "a local file counts once its size and time are unchanged this long",
    {
      min: 0,
    },
  ),
  key("files.scan_interval", "duration", minute, "how often watched paths are also scanned", { min: second }),
  key("files.lookback", "duration", 24 * hour, "scans trigger files modified within this window", {
    min: 0,
  }),
  key(
    "files.retention",
    "duration",
    168 * hour,
    "how long a triggered file is remembered (not triggered again)",
    {
      min: minute,
    },
  ),
  key("files.bucket", "string", "taskmaster_files", "NATS KV bucket remembering triggered files", {
    check: checkBucketName,
  }),

  key("slack.url", "string", "", 'Slack webhook URL; "" for no Slack messages', {
    ...secret,
    check: checkOptionalHttpUrl,
  }),
  key("slack.channel", "string", "", "channel to post to, when not the webhook's own"),
  key("slack.prefix", "string", "", "put before every message as [prefix]"),
  key("slack.min_frequency", "duration", 5 * minute, "shortest wait between digests", { min: second }),
  key("slack.max_frequency", "duration", undefined, "longest wait between digests; default 16 × min", {
    min: 0,
  }),
  key("slack.task_ttl", "duration", 4 * hour, "when a task still running counts as an alert; at least 1h", {
    min: 0,
    aliases: ["sqlite.task_ttl", "cache.task_ttl"],
  }),

  key("http.listen", "string", "127.0.0.1:8080", "address of the dashboard and API", { check: checkListen }),
  key("http.read_token", "string", "", 'bearer token for reading; "" for open reads', secret),
  key("http.admin_token", "string", "", "bearer token for changes (backload, retry ...)", secret),
  key("http.read_token_file", "string", "", "file holding the read token"),
  key("http.admin_token_file", "string", "", "file holding the admin token"),
  key(
    "http.allowed_hosts",
    "string",
    "",
    "comma-separated host names the API is reached by, beyond localhost and IP addresses (a request with another Host is refused)",
    { check: checkHostNames },
  ),
  key("http.time_zone", "string", "UTC", "IANA zone of API times given without one (2024-01-15T10:00)", {
    check: checkZone,
  }),

  key("log.level", "string", "info", "the least level logged", { choices: logLevels }),
  key("log.format", "string", "json", "json (one object per line) or pretty (for people)", {
    choices: logFormats,
  }),
];

/**
 * Keys flowlord read that taskmaster does not use, with the reason; found in a file they get a warning, not the
 * "unknown key" one. A table here covers everything inside it.
 */
export const ignoredKeys: ReadonlyMap<string, string> = new Map([
  ["bus", "taskmaster talks NATS; [nats] replaces [bus]"],
  [
    "file",
    "taskmaster reads workflows from local paths; the keys for s3:// go in [cache.s3], for gs:// in [cache.gcs]",
  ],
  ["slack.title", "taskmaster's Slack messages have no title; use slack.prefix to mark them"],
]);

/** The variable that names the config file; the caller reads it, so it is not "unknown" here. */
export const configFileVariable = "TASKMASTER_CONFIG";

const byPath = new Map(configKeys.map((k) => [k.path, k]));
const byEnv = new Map(configKeys.map((k) => [k.env, k]));

export function keyByPath(path: string): ConfigKey | undefined {
  return byPath.get(path);
}

export function keyByEnv(name: string): ConfigKey | undefined {
  return byEnv.get(name);
}
