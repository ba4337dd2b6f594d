/**
 * The shapes of the config module: the resolved `Config` every other module reads, the problems a person must
 * fix, and the schema entry (`ConfigKey`) that describes one key. Durations are milliseconds and sizes bytes; a
 * string setting that is not set is "" (flowlord's zero value), and a disabled topic is "" too.
 */
import type { GcsConfig, S3Config } from "../bucket/index.ts";
import type { Severity } from "../errors/index.ts";

/** The bucket module declares the settings it reaches buckets with; the config reads them into these shapes. */
export type { GcsConfig, S3Config };

export const logLevels = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof logLevels)[number];

export const logFormats = ["json", "pretty"] as const;
export type LogFormat = (typeof logFormats)[number];

export interface NatsConfig {
  /** One server URL or a comma-separated list (`nats://`, `tls://`, `ws://`, `wss://`). */
  readonly url: string;
  /** The connection name the server shows. */
  readonly name: string;
  readonly user: string;
  readonly pass: string;
  readonly token: string;
  readonly nkeySeedFile: string;
  readonly credsFile: string;
  readonly tlsCa: string;
  readonly tlsCert: string;
  readonly tlsKey: string;
  /** Put before every task subject, e.g. `tasks.`; "" for none. */
  readonly subjectPrefix: string;
  readonly connectTimeout: number;
}

export interface StreamsConfig {
  readonly maxAge: number;
  /** Bytes; -1 is unlimited. */
  readonly maxBytes: number;
  readonly duplicateWindow: number;
  readonly replicas: number;
  /** JetStream stream names. */
  readonly tasks: string;
  readonly done: string;
  readonly files: string;
  readonly failed: string;
}

export interface EngineConfig {
  /** How long a message may be worked on before it is reported and the engine counts as stuck. */
  readonly stuckAfter: number;
}

export interface CacheConfig {
  readonly path: string;
  readonly retention: number;
  /** "" for no backup. */
  readonly backupPath: string;
  readonly backupInterval: number;
  readonly backupKeep: number;
  /** The settings for every `s3://` URL taskmaster reads or writes (backups, meta-files). */
  readonly s3: S3Config;
  /** The settings for every `gs://` URL taskmaster reads or writes (backups, meta-files). */
  readonly gcs: GcsConfig;
}

export interface FilesConfig {
  /** Watch the local roots of `files=` globs that are absolute paths. */
  readonly watch: boolean;
  readonly settle: number;
  readonly scanInterval: number;
  readonly lookback: number;
  /** How long the once-only record of a triggered file is kept; at least `lookback`. */
  readonly retention: number;
  readonly bucket: string;
}

export interface SlackConfig {
  /** The webhook URL; "" means no Slack messages. */
  readonly url: string;
  readonly channel: string;
  readonly prefix: string;
  readonly minFrequency: number;
  /** Always above minFrequency: 16 × minFrequency unless a larger value is given. */
  readonly maxFrequency: number;
  /** At least one hour. */
  readonly taskTtl: number;
}

/** Where the HTTP server listens: `http.listen` resolved once, with the config. */
export interface ListenAddress {
  /** A host name or IP address, an IPv6 address without its brackets; "" for every interface. */
  readonly host: string;
  /** 0 lets the system choose a free port. */
  readonly port: number;
}

export interface HttpConfig {
  /** `host:port` as written, for messages; what it says is `address`. */
  readonly listen: string;
  /** `listen` as host and port: what the server, the host check and links read. */
  readonly address: ListenAddress;
  readonly readToken: string;
  readonly adminToken: string;
  /** Files holding the tokens; read by the HTTP server, not here. */
  readonly readTokenFile: string;
  readonly adminTokenFile: string;
  /** Comma-separated host names a request's Host may carry beyond localhost and IP addresses. */
  readonly allowedHosts: string;
  /** The zone of times the API is given without one. */
  readonly timeZone: string;
}

export interface LogConfig {
  readonly level: LogLevel;
  readonly format: LogFormat;
}

export interface Config {
  readonly workflow: string;
  /** How often the workflow path is rescanned. */
  readonly refresh: number;
  readonly doneTopic: string;
  /** "" when file messages are not consumed. */
  readonly fileTopic: string;
  /** "" when exhausted retries are not published. */
  readonly failedTopic: string;
  /** The host name used in links (the Slack digest). */
  readonly host: string;
  /** Flowlord's HTTP port as given, when it was; already folded into `http.listen`. */
  readonly statusPort?: number;
  readonly nats: NatsConfig;
  readonly streams: StreamsConfig;
  readonly engine: EngineConfig;
  readonly cache: CacheConfig;
  readonly files: FilesConfig;
  readonly slack: SlackConfig;
  readonly http: HttpConfig;
  readonly log: LogConfig;
}

/** Where a value came from, lowest precedence first. */
export const configSources = ["file", "env", "flag"] as const;
export type ConfigSource = (typeof configSources)[number];

export interface ConfigProblem {
  readonly severity: Severity;
  /** The key path (`nats.url`) as written; an unknown variable's name for the environment; "" for the whole file. */
  readonly key: string;
  readonly source: ConfigSource;
  readonly message: string;
  /** 1-based position in the config file, when the problem is in the file and the key was found there. */
  readonly line?: number;
  readonly column?: number;
}

export type KeyType = "string" | "topic" | "duration" | "integer" | "size" | "boolean";

/** A resolved value: durations in ms, sizes in bytes, topics with "-" already turned into "". */
export type Value = string | number | boolean;

/** One key of the schema; everything else (defaults, env names, flags, docs, redaction) comes from these. */
export interface ConfigKey {
  /** The TOML path in snake_case: `nats.connect_timeout`. */
  readonly path: string;
  /** The field path in `Config`: `["nats", "connectTimeout"]`. */
  readonly field: readonly string[];
  /** `TASKMASTER_NATS_CONNECT_TIMEOUT`. */
  readonly env: string;
  /** `--nats.connect_timeout`. */
  readonly flag: string;
  readonly type: KeyType;
  /** The resolved default; undefined when the key has none (or one derived from another key). */
  readonly default: Value | undefined;
  readonly doc: string;
  readonly secret: boolean;
  /** Flowlord's names for the same setting, as TOML paths. */
  readonly aliases: readonly string[];
  /** The only values a string key takes. */
  readonly choices?: readonly string[];
  /** Bounds of an integer, or the least duration in ms. */
  readonly min?: number;
  readonly max?: number;
  /** For string keys: a message when the value is not acceptable. */
  readonly check?: (value: string) => string | undefined;
}
