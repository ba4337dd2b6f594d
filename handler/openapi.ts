/**
 * The OpenAPI 3.1 document of the JSON API, served at `/api/openapi.json`. Written by hand next to the routes; a
 * test asks every documented path and checks that it answers as documented.
 */
import { taskSorts } from "../internal/cache/index.ts";

const json = (description: string, schema: object = { type: "object" }) => ({
  description,
  content: { "application/json": { schema } },
});

const problem = { type: "object", properties: { error: { type: "string" } }, required: ["error"] };
const errors = {
  "400": json("bad input; `error` names the parameter", problem),
  "401": json("no usable token", problem),
  "503": json("the history cache is off or cannot be read", problem),
};

const day = {
  name: "date",
  in: "query",
  description: "YYYY-MM-DD, an RFC 3339 time (its UTC day), or -24h / -7d; today (UTC) by default",
  schema: { type: "string" },
};
const query = (name: string, description: string, schema: object = { type: "string" }) => ({
  name,
  in: "query",
  description,
  schema,
});
const path = (name: string, description: string) => ({
  name,
  in: "path",
  required: true,
  description,
  schema: { type: "string" },
});

export const openapi = {
  openapi: "3.1.0",
  info: {
    title: "taskmaster",
    version: "1",
    description:
      "The JSON API of taskmaster. Send `Authorization: Bearer <token>`: the read token for GET, the admin token for actions.",
  },
  components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
  security: [{ bearer: [] }],
  paths: {
    "/healthz": { get: { summary: "the process is up", security: [], responses: { "200": json("ok") } } },
    "/readyz": {
      get: {
        summary: "NATS connected and workflows loaded",
        security: [],
        responses: { "200": json("ready"), "503": json("not ready, with what is missing") },
      },
    },
    "/api/v1/status": {
      get: {
        summary: "version, uptime, NATS, workflows, cache",
        responses: { "200": json("the state"), ...errors },
      },
    },
    "/api/v1/tasks": {
      get: {
        summary: "a day's tasks, newest first unless `sort` says otherwise",
        parameters: [
          day,
          query("type", "the task type"),
          query("job", "the job"),
          query("result", "complete, error, alert, warn, or running"),
          query("id", "the task id (a run)"),
          query("page", "1-based", { type: "integer", minimum: 1 }),
          query("size", "rows a page, 1-1000 (100)", { type: "integer", minimum: 1, maximum: 1000 }),
          query("sort", "the column to order by (created)", {
            type: "string",
            enum: [...taskSorts],
          }),
          query("direction", "asc or desc; desc for created, queue and run, asc for the others by default", {
            type: "string",
            enum: ["asc", "desc"],
          }),
        ],
        responses: { "200": json("`{total, rows}`"), ...errors },
      },
    },
    "/api/v1/tasks/{id}": {
      get: {
        summary: "every task of a run (parent, children, retries)",
        parameters: [path("id", "the task id")],
        responses: { "200": json("`{id, tasks}`"), "404": json("no task with that id", problem), ...errors },
      },
    },
    "/api/v1/tasks/{key}/retry": {
      post: {
        summary: "run a recorded task again (admin); `key` is the record's key from the task list",
        parameters: [path("key", "the task record's key")],
        responses: {
          "200": json("`{sent}`: the task sent"),
          "400": json("a failed-topic copy cannot be retried", problem),
          "403": json("needs the admin token", problem),
          "404": json("no task record with that key", problem),
        },
      },
    },
    "/api/v1/tasks/{key}/rerun": {
      post: {
        summary:
          "run a recorded task again (admin): what follows it follows once it completes, or with `downstream: false` it runs alone",
        parameters: [path("key", "the task record's key")],
        requestBody: {
          required: false,
          content: {
            "application/json": {
              schema: { type: "object", properties: { downstream: { type: "boolean", default: true } } },
            },
          },
        },
        responses: {
          "200": json("`{sent, downstream}`: the task sent and the phases that will follow it"),
          "400": json("bad input, or a failed-topic copy", problem),
          "403": json("needs the admin token", problem),
          "404": json("no task record with that key", problem),
        },
      },
    },
    "/api/v1/phases/launch": {
      post: {
        summary: "run a phase now (admin): its task(s) for now or `at`, with the meta given, or a given info",
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["workflow", "phase"],
                properties: {
                  workflow: { type: "string", description: "the workflow file, e.g. etl.toml" },
                  phase: { type: "string", description: "topic or topic:job" },
                  at: {
                    type: "string",
                    description: "YYYY-MM-DD, YYYY-MM-DDTHH or RFC 3339; now by default",
                  },
                  meta: { type: "object", additionalProperties: { type: "string" } },
                  info: { type: "string", description: "the task's info instead of the rendered template" },
                },
              },
            },
          },
        },
        responses: {
          "200": json("`{status, count, tasks}`"),
          "400": json("bad input: `error` names the field", problem),
          "403": json("needs the admin token", problem),
        },
      },
    },
    "/api/v1/actions": {
      get: {
        summary: "the audit trail: people's actions (who, what, when, outcome), newest first",
        parameters: [query("limit", "how many (1-1000, default 100)", { type: "integer" })],
        responses: { "200": json("`{actions}`"), ...errors },
      },
    },
    "/api/v1/files": {
      get: {
        summary: "a day's file arrivals",
        parameters: [day],
        responses: { "200": json("`{files}`"), ...errors },
      },
    },
    "/api/v1/alerts": {
      get: {
        summary: "a day's alerts",
        parameters: [day],
        responses: { "200": json("`{alerts}`"), ...errors },
      },
    },
    "/api/v1/days/{kind}": {
      get: {
        summary: "the days that have tasks, files or alerts, newest first",
        parameters: [path("kind", "tasks, files or alerts")],
        responses: { "200": json("`{kind, days}`"), ...errors },
      },
    },
    "/api/v1/workflows": {
      get: {
        summary: "every phase as loaded, with its validation status",
        responses: { "200": json("`{phases}`"), ...errors },
      },
    },
    "/api/v1/events": {
      get: {
        summary:
          'server-sent events: a `change` message a quarter second at most, `{"changes": [{kind, id?, result?}], "more": N}`',
        responses: {
          "200": { description: "text/event-stream" },
          "503": json("too many clients follow the live events", problem),
        },
      },
    },
    "/api/v1/backload": {
      post: {
        summary: "flowlord's backload: a dry run, or `Execute: true` with the admin token",
        parameters: [
          query("page", "the page of the tasks to list, 1-based", { type: "integer", minimum: 1 }),
          query("size", "tasks a page, 1-1000 (100)", { type: "integer", minimum: 1, maximum: 1000 }),
        ],
        requestBody: { required: true, content: { "application/json": { schema: { type: "object" } } } },
        responses: {
          "200": json(
            "`{Status, Count, Tasks, Page, PageSize, Pages}`: `Count` is every task the backload makes, `Tasks` the page asked for",
          ),
          "403": json("Execute needs the admin token", problem),
          ...errors,
        },
      },
    },
    "/api/v1/refresh": {
      post: {
        summary: "reload the workflows now (admin)",
        responses: {
          "200": json(
            "`{changed, problems}`; served by the history, also `engines`: what each engine answered",
          ),
          "403": json("needs the admin token", problem),
        },
      },
    },
    "/api/v1/backup": {
      post: {
        summary: "take a backup of the history now (admin)",
        responses: {
          "200": json("`{name, bytes}`"),
          "403": json("needs the admin token", problem),
          "404": json("no backups here", problem),
        },
      },
    },
    "/metrics": {
      get: { summary: "Prometheus text", responses: { "200": { description: "text/plain; version=0.0.4" } } },
    },
  },
} as const;
