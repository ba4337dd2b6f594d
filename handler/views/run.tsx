/**
 * A run: every task that shares an id (the parent, its children and their retries), oldest first, with the actions
 * a person takes on one of them when they hold the admin token: retry it, re-run it with what follows it, or re-run
 * it alone. The buttons post to the API through `/static/actions.js`, with the page's CSRF token.
 */
import type { TaskRow } from "../../internal/cache/index.ts";
import { Layout } from "./layout.tsx";
import { TaskRows } from "./pages.tsx";

function Actions(props: { task: TaskRow }) {
  const t = props.task;
  if (t.kind === "failed") return <span class="muted">copy</span>;
  const name = t.job ? `${t.type}:${t.job}` : t.type;
  const base = `/api/v1/tasks/${encodeURIComponent(t.key)}`;
  const failed = t.result === "error" || t.result === "alert";
  return (
    <span>
      {failed ? (
        <button
          type="button"
          class="act"
          data-post={`${base}/retry`}
          data-confirm={`Retry ${name} (${t.info})?`}
          data-done="Retried"
        >
          retry
        </button>
      ) : null}
      <button
        type="button"
        class="act"
        data-post={`${base}/rerun`}
        data-body={JSON.stringify({ downstream: true })}
        data-confirm={`Re-run ${name} (${t.info}) and everything downstream of it?`}
        data-done="Re-run"
      >
        re-run + downstream
      </button>
      <button
        type="button"
        class="act"
        data-post={`${base}/rerun`}
        data-body={JSON.stringify({ downstream: false })}
        data-confirm={`Re-run ${name} (${t.info}) alone, without its children?`}
        data-done="Re-run alone"
      >
        re-run alone
      </button>
    </span>
  );
}

export function RunPage(props: { id: string; rows: readonly TaskRow[]; canAct: boolean }) {
  return (
    <Layout title={`Run ${props.id}`} path="/web/tasks">
      <p class="muted">
        Every task that shares this id: the parent, its children and their retries, oldest first.
        {props.canAct ? "" : " Retrying and re-running need the admin token."}
      </p>
      {props.canAct ? (
        <TaskRows rows={props.rows} actions={(task) => <Actions task={task} />} />
      ) : (
        <TaskRows rows={props.rows} />
      )}
    </Layout>
  );
}
