/**
 * The config module: the service config from a TOML file, `TASKMASTER_*` variables and flags, resolved once into
 * a frozen `Config`, with every problem reported together and placed by key path. The schema (`configKeys`) is
 * the single description of the keys; the table in docs/configuration.md, the environment names, the flags and
 * redaction follow from it. Reads nothing but the config file it is given; never reads `process.env` itself.
 */

export { configReference, formatDefault } from "./docs.ts";
export type { LoadInput } from "./load.ts";
export { loadConfig } from "./load.ts";
export { formatConfigProblem, hasConfigErrors } from "./problem.ts";
export { configSecrets, hideUrlCredentials, redactConfig } from "./redact.ts";
export type { ResolvedConfig, ResolveInput } from "./resolve.ts";
export { resolveConfig } from "./resolve.ts";
export { configFileVariable, configKeys, ignoredKeys } from "./schema.ts";
export type {
  CacheConfig,
  Config,
  ConfigKey,
  ConfigProblem,
  ConfigSource,
  GcsConfig,
  HttpConfig,
  KeyType,
  LogConfig,
  LogFormat,
  LogLevel,
  NatsConfig,
  S3Config,
  SlackConfig,
  StreamsConfig,
  Value,
} from "./types.ts";
export { configSources, logFormats, logLevels } from "./types.ts";
export { parseSize } from "./values.ts";
