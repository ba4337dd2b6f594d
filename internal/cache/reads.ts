/**
 * The history's reads as the dashboard and the API ask for them, each run through `read`, which finds the connection
 * (or says why there is none): one list for the history process and for the tests that serve a file of their own.
 */
import type { Database } from "better-sqlite3";
import {
  alertsOn,
  type DayKind,
  daysWith,
  filesOn,
  hourlyOn,
  phases,
  resultsOn,
  type TaskFilter,
  taskByKey,
  tasksById,
  tasksOn,
} from "./queries.ts";
import { recapOn } from "./recap.ts";

/** Every read, through `read`. */
export function readsThrough(read: <T>(query: (db: Database) => T) => T) {
  return {
    tasksOn: (day: string, filter: TaskFilter) => read((db) => tasksOn(db, day, filter)),
    resultsOn: (day: string) => read((db) => resultsOn(db, day)),
    hourlyOn: (day: string, filter: TaskFilter) => read((db) => hourlyOn(db, day, filter)),
    tasksById: (id: string) => read((db) => tasksById(db, id)),
    taskByKey: (key: string) => read((db) => taskByKey(db, key)),
    filesOn: (day: string) => read((db) => filesOn(db, day)),
    alertsOn: (day: string) => read((db) => alertsOn(db, day)),
    daysWith: (kind: DayKind) => read((db) => daysWith(db, kind)),
    phases: () => read((db) => phases(db)),
    recapOn: (day: string) => read((db) => recapOn(db, day)),
  };
}
