/**
 * The headers of every task taskmaster publishes: what the planner knew of it (why it was emitted, the workflow and
 * phase it belongs to), so the history need not guess from the task's meta. A task someone else published has none.
 */
export const TaskHeader = {
  /** cron, batch, child, retry, failed, file, backload ... (the emission's kind). */
  kind: "Taskmaster-Kind",
  workflow: "Taskmaster-Workflow",
  /** `topic` or `topic:job`. */
  phase: "Taskmaster-Phase",
} as const;
