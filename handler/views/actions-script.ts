/**
 * The browser side of the dashboard's action buttons, served at `/static/actions.js`: a `<button data-post=URL>`
 * (with optional `data-body` JSON and `data-confirm` text) posts to the API with the page's CSRF token and shows
 * the outcome in `#action-result`, as text (never HTML: task data is user data). Without JavaScript the buttons do
 * nothing, and the pages still read.
 */
export const actionsScript = `(function () {
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  function show(text, ok) {
    var box = document.getElementById("action-result");
    if (!box) return;
    box.textContent = text;
    box.className = ok ? "notice ok" : "notice error";
    box.hidden = false;
  }
  document.addEventListener("click", function (event) {
    var target = event.target;
    var button = target && target.closest ? target.closest("button[data-post]") : null;
    if (!button) return;
    event.preventDefault();
    var question = button.getAttribute("data-confirm");
    if (question && !window.confirm(question)) return;
    button.disabled = true;
    fetch(button.getAttribute("data-post"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: button.getAttribute("data-body") || "{}",
    })
      .then(function (r) {
        return r.text().then(function (text) {
          var body;
          try { body = JSON.parse(text); } catch (e) { body = { error: text }; }
          if (!r.ok) { show((body && body.error) || ("HTTP " + r.status), false); return; }
          var sent = body.sent || (body.tasks && body.tasks[0]) || {};
          var follows = body.downstream && body.downstream.length ? "; then " + body.downstream.join(", ") : "";
          show(button.getAttribute("data-done") + ": " + (sent.type || "") + (sent.job ? ":" + sent.job : "") +
            " " + (sent.info || "") + follows, true);
        });
      })
      .catch(function (err) { show("the request failed: " + err.message, false); })
      .then(function () { button.disabled = false; });
  });
})();`;
