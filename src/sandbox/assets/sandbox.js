// The sandbox page: a Slack channel in the browser. It polls /sandbox/state for what Sluice posted, and sends what
// a Slack client would (slash commands, clicks, modal submissions) through the sandbox routes, which sign them.
import { escapeHtml, mrkdwn, renderBlocks, textObject } from "./blocks.js";

const $ = (selector) => document.querySelector(selector);
const page = {
  user: localStorage.getItem("sluice-sandbox-user") || "UDEVELOPER",
  version: -1,
  state: null,
  thread: null,
  viewKey: "",
  viewErrors: {},
  busy: false,
  dmsOpen: false,
  dmsSeen: new Set(),
  /** Polls asked for and not yet answered, and the chain they run on, one after another. */
  polls: 0,
  pollChain: Promise.resolve(),
};

async function post(path, body) {
  const response = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error || `HTTP ${response.status}`);
  return answer;
}

function names() {
  const users = { ...(page.state?.users ?? {}) };
  if (page.state) users[page.state.botUserId] = "Sluice";
  return users;
}

function filesHtml(files) {
  return files
    .map(
      (f) => `<div class="file" data-file-id="${escapeHtml(f.id)}">
        <div class="file-head">📄 <a href="${escapeHtml(f.url)}" download="${escapeHtml(f.name)}">${escapeHtml(f.title || f.name)}</a>
        <span class="hint">${escapeHtml(f.name)} · ${f.size} bytes</span></div>
        ${f.preview === null ? "" : `<pre class="code preview">${escapeHtml(f.preview)}${f.truncated ? "\n…" : ""}</pre>`}
      </div>`,
    )
    .join("");
}

function messageHtml(m, inThread) {
  const users = names();
  const bot = m.user === page.state.botUserId;
  const body = m.blocks.length > 0 ? renderBlocks(m.blocks, { users }) : `<div class="text">${mrkdwn(m.text, { users })}</div>`;
  const replies =
    !inThread && m.replies > 0 ? `<button type="button" class="replies" data-open-thread="${m.ts}">${m.replies} ${m.replies === 1 ? "reply" : "replies"}</button>` : "";
  const openThread = !inThread && !m.ephemeral ? `<button type="button" class="reply-link" data-open-thread="${m.ts}" title="Open the thread">💬 Thread</button>` : "";
  return `<div class="message${m.ephemeral ? " ephemeral" : ""}" data-ts="${m.ts}">
    <div class="avatar${bot ? " bot" : ""}">${bot ? "S" : escapeHtml((users[m.user] ?? m.user).slice(0, 1).toUpperCase())}</div>
    <div class="content">
      <div class="meta"><b>${escapeHtml(users[m.user] ?? m.user)}</b>${bot ? ' <span class="app">APP</span>' : ""}
${m.edited ? ' <span class="hint">(edited)</span>' : ""}${openThread}</div>
      ${m.ephemeral ? '<div class="only-you">Only visible to you</div>' : ""}
      <div class="blocks">${body}</div>
      ${filesHtml(m.files)}
      ${replies}
    </div>
  </div>`;
}

function renderMessages() {
  const list = $("#messages");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const top = page.state.messages.filter((m) => !m.threadTs);
  list.innerHTML = top.length ? top.map((m) => messageHtml(m, false)).join("") : '<div class="empty">No messages yet. Type <code>/db help</code> below.</div>';
  if (atBottom) list.scrollTop = list.scrollHeight;
  renderThread();
}

/** What Sluice sent this user as a direct message, in a pane of its own, as Slack's DM with the app. */
function renderDms() {
  const dms = page.state.dms ?? [];
  const toggle = $("#dm-open");
  const unread = dms.filter((m) => !page.dmsSeen.has(m.ts)).length;
  toggle.textContent = `✉ Direct messages${dms.length ? ` (${dms.length})` : ""}`;
  toggle.classList.toggle("unread", unread > 0 && !page.dmsOpen);
  const pane = $("#dms");
  pane.hidden = !page.dmsOpen;
  if (!page.dmsOpen) return;
  for (const m of dms) page.dmsSeen.add(m.ts);
  toggle.classList.remove("unread");
  $("#dms-body").innerHTML = dms.length ? dms.map((m) => messageHtml(m, true)).join("") : '<div class="empty">No direct messages from Sluice.</div>';
}

function renderThread() {
  const pane = $("#thread");
  if (!page.thread) {
    pane.hidden = true;
    return;
  }
  const root = page.state.messages.find((m) => m.ts === page.thread);
  const replies = page.state.messages.filter((m) => m.threadTs === page.thread);
  pane.hidden = false;
  $("#thread-body").innerHTML = (root ? messageHtml(root, true) : "") + `<div class="thread-count">${replies.length} ${replies.length === 1 ? "reply" : "replies"}</div>` + replies.map((m) => messageHtml(m, true)).join("");
}

// ---- modals -------------------------------------------------------------------------------------------------

function currentValues(root) {
  const values = {};
  for (const el of root.querySelectorAll("[data-block-id][data-action-id].el")) {
    const value = elementValue(el);
    if (value === undefined) continue;
    (values[el.dataset.blockId] ??= {})[el.dataset.actionId] = value;
  }
  return values;
}

/** The element's state as Slack puts it in `view.state.values`. */
function elementValue(el) {
  const type = el.dataset.type;
  const options = el.dataset.options ? JSON.parse(el.dataset.options) : [];
  switch (type) {
    case "plain_text_input":
    case "number_input":
    case "email_text_input":
    case "url_text_input":
      return { type, value: el.value === "" ? null : el.value };
    case "datepicker":
      return { type, selected_date: el.value || null };
    case "static_select":
      return { type, selected_option: el.value === "" ? null : options[Number(el.value)] };
    case "external_select": {
      const chosen = el.querySelector("select").value;
      return { type, selected_option: chosen === "" ? null : options[Number(chosen)] };
    }
    case "radio_buttons": {
      const checked = el.querySelector("input:checked");
      return { type, selected_option: checked ? options[Number(checked.value)] : null };
    }
    case "checkboxes":
      return { type, selected_options: [...el.querySelectorAll("input:checked")].map((c) => options[Number(c.value)]) };
    case "multi_static_select":
      return { type, selected_options: [...el.selectedOptions].map((o) => options[Number(o.value)]) };
    case "file_input":
      return { type, files: el.uploaded ?? [] };
    case "users_select":
      return { type, selected_user: el.value || null };
    default:
      return undefined;
  }
}

/** Puts back what the user had entered when the same view is rendered again (field errors, views.update). */
function restoreValues(root, values) {
  for (const el of root.querySelectorAll("[data-block-id][data-action-id].el")) {
    const value = values[el.dataset.blockId]?.[el.dataset.actionId];
    if (!value) continue;
    const options = el.dataset.options ? JSON.parse(el.dataset.options) : [];
    const indexOf = (option) => options.findIndex((o) => option && o.value === option.value);
    switch (el.dataset.type) {
      case "static_select":
        if (value.selected_option) el.value = String(indexOf(value.selected_option));
        break;
      case "external_select":
        if (value.selected_option) showSuggestions(el, [value.selected_option], 0);
        break;
      case "multi_static_select": {
        const chosen = value.selected_options.map(indexOf);
        for (const option of el.options) option.selected = chosen.includes(Number(option.value));
        break;
      }
      case "radio_buttons":
      case "checkboxes": {
        const chosen = (value.selected_options ?? [value.selected_option]).map(indexOf);
        for (const input of el.querySelectorAll("input")) input.checked = chosen.includes(Number(input.value));
        break;
      }
      case "file_input":
        el.uploaded = value.files;
        if (value.files.length) showUploaded(el);
        break;
      case "datepicker":
        if (value.selected_date) el.value = value.selected_date;
        break;
      case "users_select":
        if (value.selected_user) el.value = value.selected_user;
        break;
      default:
        if (value.value !== null) el.value = value.value;
    }
  }
}

/** Shows a type-ahead's options; `chosen` is the index selected, if any. */
function showSuggestions(el, options, chosen) {
  el.dataset.options = JSON.stringify(options);
  const select = el.querySelector("select");
  const placeholder = select.options[0];
  select.replaceChildren(placeholder, ...options.map((o, i) => new Option(o.text?.text ?? o.value, String(i))));
  select.value = chosen === undefined ? (options.length === 1 ? "0" : "") : String(chosen);
}

/** Asks Sluice for a type-ahead's options for what was typed, as Slack does (block_suggestion). */
async function suggest(el, typed) {
  const modal = $("#modal");
  const answer = await post("/sandbox/suggest", {
    user: page.user,
    viewId: modal.dataset.viewId,
    actionId: el.dataset.actionId,
    blockId: el.dataset.blockId,
    value: typed,
    values: currentValues($("#modal-body")),
  });
  showSuggestions(el, answer.options ?? []);
}

function fillUsers(root) {
  for (const select of root.querySelectorAll('select[data-type="users_select"]')) {
    for (const [id, name] of Object.entries(page.state.users)) select.add(new Option(`${name} (${id})`, id));
  }
}

function renderView() {
  const open = page.state.view;
  const overlay = $("#modal");
  if (!open) {
    overlay.hidden = true;
    page.viewKey = "";
    return;
  }
  const key = `${open.id}:${JSON.stringify(open.view)}:${JSON.stringify(page.viewErrors)}`;
  if (key === page.viewKey) return;
  const sameView = page.viewKey.startsWith(`${open.id}:`);
  const kept = sameView ? currentValues($("#modal-body")) : {};
  page.viewKey = key;
  const view = open.view;
  overlay.hidden = false;
  overlay.dataset.viewId = open.id;
  $("#modal-title").innerHTML = textObject(view.title);
  $("#modal-body").innerHTML = renderBlocks(view.blocks, { users: names(), errors: page.viewErrors });
  fillUsers($("#modal-body"));
  restoreValues($("#modal-body"), kept);
  $("#modal-submit").hidden = !view.submit;
  $("#modal-submit").innerHTML = view.submit ? textObject(view.submit) : "Submit";
  $("#modal-close").innerHTML = view.close ? textObject(view.close) : "Cancel";
  $("#modal-back").hidden = open.depth < 2;
  $("#modal-error").textContent = "";
}

/** Whether an element's value, as Slack sends it, holds nothing. */
function isEmpty(value) {
  if (!value) return true;
  if ("selected_options" in value) return value.selected_options.length === 0;
  if ("files" in value) return value.files.length === 0;
  const [only] = Object.entries(value).filter(([key]) => key !== "type");
  return !only || only[1] === null || only[1] === "";
}

/** Slack's client refuses a form with an empty required input before sending anything; so does the page. */
function missingRequired(root) {
  const errors = {};
  for (const block of root.querySelectorAll('.block.input[data-required="true"]')) {
    const el = block.querySelector(".el");
    if (el && isEmpty(elementValue(el))) errors[block.dataset.blockId] = "Please complete this required field.";
  }
  return errors;
}

async function submitView() {
  const viewId = $("#modal").dataset.viewId;
  const missing = missingRequired($("#modal-body"));
  if (Object.keys(missing).length > 0) {
    page.viewErrors = missing;
    renderView();
    return;
  }
  setBusy(true);
  try {
    const answer = await post("/sandbox/submit", { user: page.user, viewId, values: currentValues($("#modal-body")) });
    if (answer.failed) $("#modal-error").textContent = `We had some trouble connecting (Sluice answered HTTP ${answer.status}). Try again?`;
    page.viewErrors = answer.errors ?? {};
    await poll();
    renderView();
  } catch (error) {
    $("#modal-error").textContent = error.message;
  } finally {
    setBusy(false);
  }
}

/** ✕ or Cancel closes the whole stack, the back arrow the top view only; a failure is shown in the modal, not lost. */
async function closeView(back = false) {
  try {
    await post("/sandbox/close", { user: page.user, viewId: $("#modal").dataset.viewId, back });
    page.viewErrors = {};
    await poll();
  } catch (error) {
    $("#modal-error").textContent = `The modal could not be closed: ${error.message}`;
  }
}

async function uploadFiles(input) {
  const uploaded = [];
  for (const file of input.files) {
    const answer = await fetch(`/sandbox/user-file?name=${encodeURIComponent(file.name)}`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: file }).then((r) => r.json());
    if (!answer.ok) throw new Error(answer.error);
    uploaded.push(answer.file);
  }
  input.uploaded = uploaded;
  showUploaded(input);
}

function showUploaded(input) {
  let note = input.nextElementSibling;
  if (!note || !note.classList.contains("uploaded")) {
    note = document.createElement("div");
    note.className = "uploaded hint";
    input.after(note);
  }
  note.textContent = input.uploaded.length ? `Uploaded: ${input.uploaded.map((f) => `${f.name} (${f.size} bytes)`).join(", ")}` : "";
}

// ---- actions --------------------------------------------------------------------------------------------------

/** Shows a confirm dialog like Slack's; resolves true when the user confirms. */
function confirmDialog(confirm) {
  if (!confirm) return Promise.resolve(true);
  const dialog = $("#confirm");
  $("#confirm-title").innerHTML = textObject(confirm.title ?? { type: "plain_text", text: "Are you sure?" });
  $("#confirm-text").innerHTML = textObject(confirm.text);
  $("#confirm-yes").innerHTML = textObject(confirm.confirm ?? { type: "plain_text", text: "Yes" });
  $("#confirm-yes").className = `btn ${confirm.style === "danger" ? "danger" : "primary"}`;
  $("#confirm-no").innerHTML = textObject(confirm.deny ?? { type: "plain_text", text: "Cancel" });
  dialog.hidden = false;
  return new Promise((resolve) => {
    const done = (answer) => {
      dialog.hidden = true;
      $("#confirm-yes").onclick = null;
      $("#confirm-no").onclick = null;
      resolve(answer);
    };
    $("#confirm-yes").onclick = () => done(true);
    $("#confirm-no").onclick = () => done(false);
  });
}

/** Sends block_actions for an element in a message or in the open modal. */
async function sendAction(el, action) {
  el.closest("details.overflow")?.removeAttribute("open");
  const { confirm, ...payloadAction } = action;
  if (!(await confirmDialog(confirm))) return;
  const inModal = el.closest("#modal");
  const message = el.closest("[data-ts]");
  const inDm = Boolean(el.closest("#dms"));
  setBusy(true);
  try {
    if (inModal) {
      await post("/sandbox/action", { user: page.user, viewId: $("#modal").dataset.viewId, values: currentValues($("#modal-body")), action: payloadAction });
    } else {
      await post("/sandbox/action", { user: page.user, messageTs: message.dataset.ts, dm: inDm, action: payloadAction });
    }
    await poll();
  } catch (error) {
    showNotice(error.message);
  } finally {
    setBusy(false);
  }
}

function selectedAction(el) {
  const action = JSON.parse(el.dataset.dispatch);
  const value = elementValue(el);
  return { ...action, ...value, type: action.type };
}

async function runCommand(text) {
  setBusy(true);
  try {
    await post("/sandbox/command", { user: page.user, text });
    await poll();
  } catch (error) {
    showNotice(error.message);
  } finally {
    setBusy(false);
  }
}

function showNotice(text) {
  $("#notice").textContent = text;
  $("#notice").hidden = !text;
}

function setBusy(busy) {
  page.busy = busy;
  document.body.classList.toggle("busy", busy);
}

// ---- polling --------------------------------------------------------------------------------------------------

/**
 * Fetches the workspace as `page.user` sees it and redraws what changed. Polls run one at a time, in the order asked
 * (the timer's and those after an action would otherwise race, and a late answer could undo a newer one); an answer
 * for a user the page no longer shows is dropped. A poll that does not answer within POLL_TIMEOUT_MS gives up, so one
 * lost request never stalls the page.
 */
function poll() {
  page.polls += 1;
  const run = page.pollChain.then(pollOnce).finally(() => (page.polls -= 1));
  page.pollChain = run.catch(() => {});
  return run;
}

const POLL_TIMEOUT_MS = 10_000;

async function pollOnce() {
  const user = page.user;
  const response = await fetch(`/sandbox/state?user=${encodeURIComponent(user)}&since=${page.version}`, { signal: AbortSignal.timeout(POLL_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`the sandbox answered HTTP ${response.status} to /sandbox/state`);
  const answer = await response.json();
  if (answer.unchanged || user !== page.user) return;
  page.state = answer;
  try {
    renderUsers();
    renderMessages();
    renderDms();
    renderView();
  } catch (error) {
    // Drawn in part: the next poll asks for everything again rather than taking this version as shown.
    page.version = -1;
    throw error;
  }
  page.version = answer.version;
  document.body.dataset.version = String(answer.version);
}

function renderUsers() {
  const select = $("#user");
  if (select.options.length > 0) return;
  for (const [id, name] of Object.entries(page.state.users)) select.add(new Option(`${name} (${id})`, id));
  select.value = page.user;
  $("#channel-name").textContent = `#sandbox (${page.state.channel})`;
}

function switchUser(user) {
  page.user = user;
  localStorage.setItem("sluice-sandbox-user", user);
  page.version = -1;
  page.viewKey = "";
  page.viewErrors = {};
  page.dmsSeen = new Set();
  document.body.dataset.user = user;
  void poll();
}

// ---- wiring ---------------------------------------------------------------------------------------------------

document.addEventListener("click", (event) => {
  const target = event.target.closest("[data-action], [data-open-thread], #thread-close, #dm-open, #dms-close, #modal-submit, #modal-close, #modal-back");
  if (!target) return;
  if (target.id === "dm-open" || target.id === "dms-close") {
    page.dmsOpen = target.id === "dm-open" ? !page.dmsOpen : false;
    renderDms();
    return;
  }
  if (target.dataset.action) void sendAction(target, JSON.parse(target.dataset.action));
  else if (target.dataset.openThread) {
    page.thread = target.dataset.openThread;
    renderThread();
  } else if (target.id === "thread-close") {
    page.thread = null;
    renderThread();
  } else if (target.id === "modal-submit") void submitView();
  else if (target.id === "modal-close") void closeView();
  else if (target.id === "modal-back") void closeView(true);
});

document.addEventListener("change", (event) => {
  const el = event.target;
  const container = el.closest("[data-dispatch]");
  if (el.type === "file" && el.dataset.type === "file_input") {
    void uploadFiles(el).catch((error) => showNotice(error.message));
  } else if (container) {
    void sendAction(container, selectedAction(container));
  }
});

document.addEventListener("input", (event) => {
  const query = event.target.closest(".suggest-query");
  if (query) void suggest(query.closest('[data-type="external_select"]'), query.value).catch((error) => showNotice(error.message));
});

$("#composer-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("#composer");
  const text = input.value.trim();
  if (!text) return;
  if (!/^\/db(\s|$)/.test(text)) {
    showNotice("The sandbox understands slash commands only: start with /db (try /db help).");
    return;
  }
  showNotice("");
  input.value = "";
  void runCommand(text);
});

$("#user").addEventListener("change", (event) => switchUser(event.target.value));
document.body.dataset.user = page.user;

await poll().catch((error) => showNotice(error.message));
// The timer polls only when no poll is waiting: on a slow machine, polls would otherwise pile up behind each other.
setInterval(() => {
  if (page.polls === 0) void poll().catch((error) => console.error(error));
}, 500);
