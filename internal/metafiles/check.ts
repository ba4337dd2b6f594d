/**
 * What keeps a workflow's meta-files from being read at all, found before anything runs: a scheme taskmaster does
 * not read, a bucket URL that is not one, a bucket whose keys are not set. `taskmaster validate`, `plan` and the
 * service (at start and on every reload) report these, so such a workflow never loads only to fail each run.
 */
import { type BucketAccess, isBucketUrl, missingAccess, parseBucketUrl, schemeOf } from "../bucket/index.ts";
import { type Problem, Severity } from "../errors/index.ts";
import type { Phase } from "../workflow/index.ts";

/** The problems of every phase's `meta-file=` that names a URL; local paths are read when the phase fires. */
export function metaFileProblems(phases: readonly Phase[], access: BucketAccess): Problem[] {
  const problems: Problem[] = [];
  for (const phase of phases) {
    const pattern = phase.rule.metaFile;
    if (!pattern) continue;
    const message = urlProblem(pattern, access);
    if (message === undefined) continue;
    problems.push({
      severity: Severity.error,
      workflow: phase.workflow,
      phase: phase.key,
      key: "rule.meta-file",
      message,
      ...(phase.line === undefined ? {} : { line: phase.line }),
    });
  }
  return problems;
}

/** Why `pattern` cannot be read, or undefined when it can (or is a local path). */
function urlProblem(pattern: string, access: BucketAccess): string | undefined {
  const scheme = schemeOf(pattern);
  if (scheme === undefined) return undefined;
  if (!isBucketUrl(pattern)) {
    return (
      `${pattern}: "${scheme}://" meta-files are not read; give a local path, s3://bucket/key ` +
      "(MinIO and other S3 stores through cache.s3.endpoint) or gs://bucket/key"
    );
  }
  const parsed = parseBucketUrl(pattern);
  if ("error" in parsed) return `${pattern}: ${parsed.error}`;
  if (parsed.url.key === "") return `${pattern}: names no object; write ${parsed.url.scheme}://bucket/key`;
  const missing = missingAccess(parsed.url.scheme, access);
  return missing === undefined ? undefined : `${pattern} cannot be read: ${missing}`;
}
