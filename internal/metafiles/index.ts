/**
 * Meta-files read before a plan reads them: `s3://` and `gs://` objects fetched (and kept for reuse), local files
 * read without blocking, and the checks that refuse a meta-file URL that could never be read.
 */

export { metaFileProblems } from "./check.ts";
export { type RemoteMetaFiles, type RemoteMetaFilesOptions, remoteMetaFiles } from "./remote.ts";
export { type MetaFileReaders, metaFileSource } from "./source.ts";
