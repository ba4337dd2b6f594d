/**
 * Workflows: TOML phase files read, validated and held as an immutable snapshot, and the questions asked of it.
 * Parsing, validation and queries are pure; `loadSnapshot` and `readMetaFile` read files.
 */

export { type OwnSubjects, subjectClash } from "./clash.ts";
export { isParentOf, parentsOf } from "./graph.ts";
export { loadSnapshot } from "./load.ts";
export { loadMetaFile, readMetaFile } from "./metafile.ts";
export { MetaFileError, parseCsv, parseNdjson } from "./metarows.ts";
export type { ParsedWorkflowFile } from "./parse.ts";
export { parseWorkflowFile, subjectFault } from "./parse.ts";
export { childrenOf, cronPhases, filePhases, findPhase, phasesNamed } from "./query.ts";
export type { WorkflowFile } from "./snapshot.ts";
export { buildSnapshot, checksum } from "./snapshot.ts";
export { templateMetaKeys } from "./supply.ts";
export type { Phase, Snapshot, Workflow } from "./types.ts";
export { validateWorkflow } from "./validate.ts";
export { changedWorkflows, type WatchOptions, type WorkflowWatcher, watchWorkflows } from "./watch.ts";
