/**
 * Meta-files kept elsewhere than the local disk: `s3://` and `gs://` objects fetched (and kept for reuse) before a
 * plan reads them, and the checks that refuse a meta-file URL that could never be read.
 */

export { metaFileProblems } from "./check.ts";
export { type RemoteMetaFiles, type RemoteMetaFilesOptions, remoteMetaFiles } from "./remote.ts";
