/** Files: what the files topic announces, local watching, and the once-only ledger of triggered files. */

export { isTempName } from "./ignore.ts";
export { type FileIdentity, type FileLedger, fileKey, kvFileLedger, type Triggered } from "./ledger.ts";
export {
  type LocalFile,
  type LocalProblem,
  type LocalScan,
  type LocalWatcher,
  type LocalWatchOptions,
  watchLocal,
} from "./local.ts";
export {
  FileFormat,
  type FileNotice,
  FileSource,
  filePath,
  maxFileMessageBytes,
  parseFileMessage,
} from "./message.ts";
export { isLocalPattern, type LocalRoot, localRoots } from "./roots.ts";
