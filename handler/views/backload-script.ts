/**
 * The backload page's browser script, served as `/static/backload.js` (a file, not inline, so a strict
 * Content-Security-Policy can forbid inline scripts). Plain ES2017 in one function: no modules, no framework, no
 * build. It reads the phases from the page's `#backload-phases` JSON, rebuilds the phase details and meta inputs when
 * the phase changes, and posts previews and executions to `/api/v1/backload` with the page's CSRF token.
 *
 * Every value from the server (templates, rules, task info and meta) goes into the page through `textContent` or
 * attributes, never as HTML: task data is user data.
 */
export const backloadScript = `(function () {
  "use strict";
  var form = document.getElementById("backload-form");
  var data = document.getElementById("backload-phases");
  if (!form || !data || !window.fetch || !window.JSON) return;

  var phases = {};
  try {
    JSON.parse(data.textContent || "[]").forEach(function (p) {
      var value = p.workflow + "|" + p.key;
      if (!phases[value]) phases[value] = p;
    });
  } catch (err) {
    return;
  }

  var byId = function (id) { return document.getElementById(id); };
  var select = byId("backload-phase");
  var previewButton = byId("backload-preview");
  var executeButton = byId("backload-execute");
  var metaFields = byId("backload-meta-fields");
  var metaFile = byId("backload-meta-file");
  var errorBox = byId("backload-error");
  var result = byId("backload-result");
  var rowsShown = 500;
  // Execute is only possible for an admin: the server renders the button disabled otherwise, and it stays so.
  var canExecute = !executeButton.disabled;
  // The body and task count of the last preview: Execute confirms with that count, or previews first.
  var lastPreview = null;
  var busy = false;

  function setText(id, text) { byId(id).textContent = text; }
  function show(id, visible) { byId(id).hidden = !visible; }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function chosenPhase() { return phases[select.value]; }
  function mode() {
    var checked = form.querySelector('input[name="mode"]:checked');
    return checked ? checked.value : "at";
  }
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  function showPhase(phase) {
    if (!phase) return;
    setText("backload-workflow", phase.workflow);
    setText("backload-topic", phase.topic);
    setText("backload-job", phase.job || "(none)");
    setText("backload-template", phase.template);
    var rule = byId("backload-rule");
    clear(rule);
    var parts = phase.rule.split("&").filter(function (part) { return part.trim() !== ""; });
    (parts.length ? parts : ["(no rule)"]).forEach(function (part) {
      var item = document.createElement("li");
      item.textContent = part;
      rule.appendChild(item);
    });
    showMeta(phase);
    byId("backload-by").value = phase.by || "day";
  }

  // Rebuilds one input per {meta:key}, keeping what was typed in a key the new phase also uses.
  function showMeta(phase) {
    var typed = {};
    metaInputs().forEach(function (input) { typed[input.getAttribute("data-meta-key")] = input.value; });
    clear(metaFields);
    phase.metaKeys.forEach(function (key) {
      var field = document.createElement("div");
      field.className = "field";
      var label = document.createElement("label");
      label.htmlFor = "backload-meta-" + key;
      label.textContent = key;
      var input = document.createElement("input");
      input.id = "backload-meta-" + key;
      input.type = "text";
      input.autocomplete = "off";
      input.setAttribute("data-meta-key", key);
      input.placeholder = phase.ruleMeta && phase.ruleMeta[key] !== undefined ? phase.ruleMeta[key] : "value, or a,b,c";
      input.value = typed[key] || "";
      field.appendChild(label);
      field.appendChild(input);
      metaFields.appendChild(field);
    });
    var fromFile = phase.metaFile !== undefined;
    show("backload-meta-values", !fromFile);
    show("backload-meta-none", phase.metaKeys.length === 0);
    show("backload-meta-several", phase.metaKeys.length > 0);
    show("backload-meta-rule", !!phase.ruleMeta);
    show("backload-meta-file-rule", fromFile);
    show("backload-meta-file-optional", !fromFile);
    metaFile.value = phase.metaFile || "";
  }

  function metaInputs() {
    return Array.prototype.slice.call(metaFields.querySelectorAll("input[data-meta-key]"));
  }

  // Hidden time inputs are disabled too, so their pattern does not block the form.
  function showMode() {
    var range = mode() === "range";
    show("backload-at-fields", !range);
    show("backload-range-fields", range);
    byId("backload-at").disabled = range;
    ["backload-from", "backload-to", "backload-by"].forEach(function (id) { byId(id).disabled = !range; });
  }

  // The request body, or a string saying what to fix. Field order is fixed, so equal forms give equal JSON.
  function readBody() {
    var phase = chosenPhase();
    if (!phase) return "Choose a phase.";
    var body = { Task: phase.topic, Job: phase.job, Workflow: phase.workflow };
    if (mode() === "range") {
      body.From = byId("backload-from").value.trim();
      body.To = byId("backload-to").value.trim();
      body.By = byId("backload-by").value;
    } else {
      body.At = byId("backload-at").value.trim();
    }
    var file = metaFile.value.trim();
    var meta = {};
    var counts = [];
    if (phase.metaFile === undefined) {
      metaInputs().forEach(function (input) {
        var values = input.value.split(",").map(function (v) { return v.trim(); }).filter(function (v) { return v !== ""; });
        if (values.length === 0) return;
        var key = input.getAttribute("data-meta-key");
        meta[key] = values;
        counts.push(key + " has " + values.length);
      });
    }
    var keys = Object.keys(meta);
    if (keys.length > 0 && file !== "") return "Use the meta values or the meta-file, not both.";
    var sizes = keys.map(function (key) { return meta[key].length; });
    if (sizes.some(function (n) { return n !== sizes[0]; })) {
      return "Meta values pair up by position, so each field needs the same number of values (" + counts.join(", ") + ").";
    }
    if (keys.length > 0) body.meta = meta;
    if (file !== "") body["meta-file"] = file;
    return body;
  }

  // While a request runs, the last result stays, dimmed, under a status saying what is going on.
  function setBusy(on, doing) {
    busy = on;
    previewButton.disabled = on;
    executeButton.disabled = on || !canExecute;
    result.setAttribute("aria-busy", on ? "true" : "false");
    if (on) {
      setText("backload-status", doing);
      result.setAttribute("data-state", "busy");
    }
  }

  function showError(message, signIn) {
    clear(errorBox);
    errorBox.appendChild(document.createTextNode(message));
    if (signIn) {
      errorBox.appendChild(document.createTextNode(" "));
      var link = document.createElement("a");
      link.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
      link.textContent = "Sign in again";
      errorBox.appendChild(link);
    }
    errorBox.hidden = false;
  }

  // A failed request leaves no result to show: the one before it no longer matches the form.
  function failed(message, signIn) {
    result.hidden = true;
    result.setAttribute("data-state", "failed");
    showError(message, signIn);
  }

  function hideMessages() {
    errorBox.hidden = true;
    clear(errorBox);
  }

  // Posts the body; resolves with the API's answer, or null after showing why there is none.
  function post(body) {
    var headers = { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrfToken() };
    // The answer lists one page of the tasks (the count is of them all): the first rowsShown.
    return fetch("/api/v1/backload?size=" + rowsShown, {
      method: "POST",
      credentials: "same-origin",
      headers: headers,
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.text().then(function (text) {
        var answer = null;
        try { answer = JSON.parse(text); } catch (err) { answer = null; }
        if (response.ok && answer && typeof answer === "object") return answer;
        var message = answer && typeof answer.error === "string" ? answer.error : text.trim() || response.statusText;
        failed("Error " + response.status + ": " + message, response.status === 401);
        return null;
      });
    }, function (err) {
      failed("The request failed: " + (err && err.message ? err.message : String(err)));
      return null;
    });
  }

  function cell(row, text, wrap) {
    var td = document.createElement("td");
    if (wrap) td.className = "wrap";
    td.textContent = text === undefined || text === null ? "" : typeof text === "string" ? text : JSON.stringify(text);
    row.appendChild(td);
  }

  function showResult(answer, body) {
    var tasks = Array.isArray(answer.Tasks) ? answer.Tasks : [];
    var count = typeof answer.Count === "number" ? answer.Count : tasks.length;
    var status = byId("backload-status");
    status.textContent = String(answer.Status || "");
    status.className = body.Execute ? "ok" : "";
    result.setAttribute("data-state", body.Execute ? "executed" : "preview");
    var counted = body.Execute ? plural(count, "task") + " sent" : plural(count, "task") + " would be created";
    if (count > tasks.length) counted += " (the first " + tasks.length + " are listed)";
    setText("backload-count", counted);
    setText("backload-request", JSON.stringify(body, null, 2));
    var rows = byId("backload-tasks").tBodies[0];
    clear(rows);
    tasks.forEach(function (task, i) {
      var row = document.createElement("tr");
      cell(row, String(i + 1));
      cell(row, task.type);
      cell(row, task.job);
      cell(row, task.info, true);
      cell(row, task.meta, true);
      rows.appendChild(row);
    });
    result.hidden = false;
  }

  // A dry run of the body; remembers its count for Execute. Resolves true when it worked.
  async function preview(body) {
    body.Execute = false;
    var answer = await post(body);
    if (!answer) return false;
    showResult(answer, body);
    lastPreview = { key: requestKey(body), count: typeof answer.Count === "number" ? answer.Count : 0 };
    return true;
  }

  function requestKey(body) {
    var copy = JSON.parse(JSON.stringify(body));
    delete copy.Execute;
    return JSON.stringify(copy);
  }

  async function run(execute) {
    if (busy) return;
    if (!form.reportValidity()) return;
    var body = readBody();
    hideMessages();
    if (typeof body === "string") {
      showError(body);
      return;
    }
    try {
      if (!execute) {
        setBusy(true, "Previewing\\u2026");
        await preview(body);
        return;
      }
      if (!lastPreview || lastPreview.key !== requestKey(body)) {
        setBusy(true, "Previewing before executing\\u2026");
        if (!(await preview(body))) return;
      }
      if (lastPreview.count === 0) {
        showError("The preview has no tasks: nothing to execute.");
        return;
      }
      var n = lastPreview.count;
      if (!window.confirm("This will create " + n + (n === 1 ? " task" : " tasks") + ". Execute?")) return;
      body.Execute = true;
      setBusy(true, "Executing\\u2026");
      var answer = await post(body);
      if (!answer) return;
      lastPreview = null;
      showResult(answer, body);
    } finally {
      setBusy(false);
    }
  }

  select.addEventListener("change", function () {
    showPhase(chosenPhase());
    hideMessages();
    result.hidden = true;
    try {
      var url = new URL(location.href);
      url.searchParams.set("phase", select.value);
      history.replaceState(null, "", url.toString());
    } catch (err) {
      // The address only helps a reload keep the phase; the page works without it.
    }
  });
  Array.prototype.forEach.call(form.querySelectorAll('input[name="mode"]'), function (radio) {
    radio.addEventListener("change", showMode);
  });
  // Enter in any field, or the Preview button, previews.
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run(false);
  });
  executeButton.addEventListener("click", function () { run(true); });
  form.addEventListener("reset", function () {
    setTimeout(function () {
      showPhase(chosenPhase());
      showMode();
      hideMessages();
      result.hidden = true;
      lastPreview = null;
    }, 0);
  });

  showPhase(chosenPhase());
  showMode();
})();
`;
