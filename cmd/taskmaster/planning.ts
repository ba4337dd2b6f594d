/**
 * What planning takes from the config, the same wherever tasks are planned and published (the engine, and the
 * history's actions): the subjects tasks go to, the host in their meta, and where meta-files are read from (local
 * files, or buckets through `remote`).
 */
import { isBucketUrl } from "../../internal/bucket/index.ts";
import type { Config } from "../../internal/config/index.ts";
import type { EngineDeps, Subjects } from "../../internal/engine/index.ts";
import { metaFileSource, type RemoteMetaFiles } from "../../internal/metafiles/index.ts";
import { loadMetaFile, readMetaFile } from "../../internal/workflow/index.ts";
import { retrySubject } from "./streams.ts";

export function taskSubjects(config: Config): Subjects {
  return { taskPrefix: config.nats.subjectPrefix, failed: config.failedTopic, retry: retrySubject };
}

export function planningOptions(
  config: Config,
  cwd: string,
  remote: RemoteMetaFiles,
): Pick<EngineDeps, "subjects" | "host" | "readMetaFile" | "metaFiles"> {
  return {
    subjects: taskSubjects(config),
    host: config.host,
    readMetaFile: (pattern) => readMetaFile(pattern, cwd),
    metaFiles: metaFileSource({
      remote,
      isRemote: isBucketUrl,
      loadLocal: (pattern) => loadMetaFile(pattern, cwd),
    }),
  };
}
