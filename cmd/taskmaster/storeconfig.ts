/**
 * The settings that reach buckets (`[cache.s3]`, `[cache.gcs]`), for the commands that read meta-files without
 * running the service (`validate`, `plan`): from `--config FILE`, else $TASKMASTER_CONFIG, and TASKMASTER_*
 * variables. Read only when a workflow or a trigger names a bucket URL, so other uses never depend on a config.
 */
import type { BucketAccess } from "../../internal/bucket/index.ts";
import { formatConfigProblem, hasConfigErrors, loadConfig } from "../../internal/config/index.ts";
import type { Io } from "./io.ts";

/** The bucket settings, or null when the config has errors (they are printed to stderr, as `run` prints them). */
export function bucketAccess(configFile: string | undefined, io: Io): BucketAccess | null {
  const file = configFile ?? (io.env.TASKMASTER_CONFIG || undefined);
  const { config, problems } = loadConfig({ ...(file ? { file } : {}), env: io.env, flags: [], cwd: io.cwd });
  for (const p of problems) io.err(formatConfigProblem(p));
  return hasConfigErrors(problems) ? null : config.cache;
}
