/**
 * The browser side of live pages, served at `/static/live.js`: on each `change` event of `/api/v1/events` (at most
 * every 700 ms) the page fetches itself and swaps its <main>, so a task turns from running to complete without a
 * reload. Forms being typed in are left alone.
 */
export const liveScript = `(() => {
  if (!window.EventSource) return;
  let timer;
  const refresh = async () => {
    const active = document.activeElement;
    if (active && active.closest && active.closest("form")) return;
    const r = await fetch(location.href, { credentials: "same-origin" });
    if (!r.ok) return;
    const doc = new DOMParser().parseFromString(await r.text(), "text/html");
    const next = doc.querySelector("main");
    if (next) document.querySelector("main").replaceWith(next);
  };
  const events = new EventSource("/api/v1/events");
  events.addEventListener("change", () => { clearTimeout(timer); timer = setTimeout(refresh, 700); });
})();
`;
