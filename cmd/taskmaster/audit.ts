/** Where the audit trail of people's actions lives in NATS (the cache also keeps it, and is rebuilt from it). */
export const auditStream = "TASKMASTER_AUDIT";
export const auditSubject = "taskmaster.audit";
