// The Mini App: a chat's task list on the bot's task API, signed in with Telegram's init data.
"use strict";

const tg = window.Telegram && window.Telegram.WebApp;
const initData = (tg && tg.initData) || "";
const user = tg && tg.initDataUnsafe && tg.initDataUnsafe.user;

// The list: ?chat=<id> in the page's URL, or a numeric start parameter (a t.me link's
// startapp), else the user's own. The API decides whether the user may use it.
const wanted = new URLSearchParams(location.search).get("chat")
  || (tg && tg.initDataUnsafe && tg.initDataUnsafe.start_param) || "";
const chatId = /^-?\d{1,20}$/.test(wanted) ? wanted : String((user && user.id) || "");

const PAGE_SIZE = 50;

// The page's words in the user's language: ?lang= (the bot's "Open app" button says the chat's),
// else Telegram's language. The catalog comes from the bot's own (app/i18n/<lang>.json);
// English, the source language, needs none.
let catalog = {};
let locale = "en";

// A text in the user's language, its %(name)s placeholders filled in one pass (so a title
// that looks like a placeholder stays as it is).
function _(text, params) {
  const translated = catalog[text] || text;
  if (!params) return translated;
  return translated.replace(/%\((\w+)\)s/g, (_match, name) => String(params[name]));
}

function number(value) {
  return new Intl.NumberFormat(locale, { useGrouping: false }).format(value);
}

async function loadLanguage() {
  const wanted = new URLSearchParams(location.search).get("lang")
    || (user && user.language_code) || "en";
  try {
    const response = await fetch(`app/i18n/${encodeURIComponent(wanted)}.json`, {});
    if (!response.ok) return;
    const answer = await response.json();
    catalog = answer.messages;
    locale = answer.language.replace("_", "-");
    document.documentElement.lang = locale;
    document.documentElement.dir = answer.direction;
  } catch (error) {
    console.warn("no translations", error);
  }
}

function applyTexts() {
  document.title = _("Tasks");
  $("heading").textContent = _("Tasks");
  $("switch").setAttribute("aria-label", _("Which tasks"));
  $("show-open-label").textContent = _("Open");
  $("show-done-label").textContent = _("Done");
  $("new-title").placeholder = _("Add a task");
  $("new-title").setAttribute("aria-label", _("New task"));
  $("add-button").textContent = _("Add");
  $("tasks").setAttribute("aria-label", _("Tasks"));
  $("more").textContent = _("Show more");
  $("undo").textContent = _("Undo");
}
const UNDO_SECONDS = 6;

const $ = (id) => document.getElementById(id);
const view = { completed: false, shown: PAGE_SIZE, nextStart: null };
let undoTimer = null;
let lastDeleted = null;

class ApiFailure extends Error {}

async function api(method, path, body) {
  const options = { method, headers: { Authorization: `tma ${initData}` } };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(`api/${chatId}/tasks${path}`, options);
  } catch (error) {
    throw new ApiFailure(_("No connection to the server. Try again."));
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiFailure(describeError(response.status, answer));
  }
  return answer;
}

function sentence(text) {
  return text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? "" : ".");
}

// What the page says for the API's errors it can put in the user's words; any other error is
// shown as the API says it (in English).
const N_ = (text) => text; // marks a text for the catalog; translated where shown
const ERRORS = {
  forbidden: N_("This list is not yours to use: it is another user's, or a group's you are not in."),
  not_found: N_("That task is no longer there."),
  unavailable: N_("The bot can't reach its storage right now. Try again in a minute."),
};

function describeError(status, answer) {
  if (!answer || !answer.message) {
    return _("The server answered %(status)s. Try again.", { status: number(status) });
  }
  if (Object.hasOwn(ERRORS, answer.error)) return _(ERRORS[answer.error]);
  if (answer.error === "invalid_request" && answer.problems && answer.problems.length) {
    return sentence(answer.problems[0].message);
  }
  return sentence(answer.message);
}

function showProblem(message) {
  const problem = $("problem");
  problem.textContent = message || "";
  problem.hidden = !message;
}

// Runs the user's actions one after another, in the order they were made, and shows a
// failure (then reloads the list, which may have changed meanwhile).
let queue = Promise.resolve();
function act(action) {
  queue = queue.then(async () => {
    try {
      await action();
      showProblem("");
    } catch (error) {
      if (!(error instanceof ApiFailure)) {
        console.error(error);
        showProblem(_("Something went wrong."));
        return;
      }
      showProblem(error.message);
      await load().catch(() => {});
    }
  });
  return queue;
}

// A row's action: the row takes no more taps until the list is drawn again.
function rowAction(row, action) {
  row.inert = true;
  return act(action);
}

function renderTask(task) {
  const row = $("task-row").content.firstElementChild.cloneNode(true);
  row.dataset.number = task.number;
  row.classList.toggle("is-done", task.completed);
  const box = row.querySelector(".done");
  box.checked = task.completed;
  const label = task.completed
    ? _("Open again: %(title)s", { title: task.title })
    : _("Done: %(title)s", { title: task.title });
  box.setAttribute("aria-label", label);
  box.addEventListener("change", () => rowAction(row, () => setCompleted(task, box.checked)));
  row.querySelector(".number").textContent = `#${number(task.number)}`;
  const title = row.querySelector(".title");
  title.textContent = task.title;
  title.addEventListener("dblclick", () => startRename(row, task));
  const rename = row.querySelector(".rename");
  rename.setAttribute("aria-label", _("Rename #%(number)s", { number: number(task.number) }));
  rename.addEventListener("click", () => startRename(row, task));
  const remove = row.querySelector(".delete");
  remove.setAttribute("aria-label", _("Delete #%(number)s", { number: number(task.number) }));
  remove.addEventListener("click", () => rowAction(row, () => deleteTask(task)));
  return row;
}

function render(page, append) {
  const list = $("tasks");
  if (!append) list.replaceChildren();
  for (const task of page.tasks) list.append(renderTask(task));
  list.hidden = list.children.length === 0;
  view.nextStart = page.next_start;
  $("more").hidden = page.next_start === null;
  $("open-count").textContent = page.open_count ? number(page.open_count) : "";
  $("done-count").textContent = page.done_count ? number(page.done_count) : "";
  const empty = $("empty");
  empty.hidden = list.children.length > 0;
  empty.textContent = view.completed ? _("No done tasks yet.") : _("Nothing to do. Add a task above.");
}

async function load() {
  const shown = Math.min(Math.max(view.shown, PAGE_SIZE), 100);
  const page = await api("GET", `?completed=${view.completed}&limit=${shown}`);
  render(page, false);
}

async function loadMore() {
  const page = await api("GET", `?completed=${view.completed}&start=${view.nextStart}&limit=${PAGE_SIZE}`);
  render(page, true);
  view.shown = $("tasks").children.length;
}

async function switchTo(completed) {
  view.completed = completed;
  view.shown = PAGE_SIZE;
  $("show-open").setAttribute("aria-selected", String(!completed));
  $("show-done").setAttribute("aria-selected", String(completed));
  await load();
}

async function addTask(title) {
  await api("POST", "", { title });
  $("new-title").value = "";
  if (view.completed) await switchTo(false);
  else await load();
  haptic("success");
}

async function setCompleted(task, completed) {
  if (completed) await api("PATCH", `/${task.number}/complete`);
  else await api("PUT", `/${task.number}`, { completed: false });
  await load();
  haptic("success");
}

function startRename(row, task) {
  const title = row.querySelector(".title");
  if (row.querySelector(".title-input")) return;
  const input = document.createElement("input");
  input.className = "title-input";
  input.value = task.title;
  input.setAttribute("aria-label", _("New title of #%(number)s", { number: number(task.number) }));
  input.enterKeyHint = "done";
  title.replaceWith(input);
  input.focus();
  input.select();
  let finished = false;
  const finish = (save) => {
    if (finished) return;
    finished = true;
    const newTitle = input.value;
    input.replaceWith(title);
    if (save && newTitle.trim() && newTitle !== task.title) {
      rowAction(row, async () => {
        await api("PUT", `/${task.number}`, { title: newTitle });
        await load();
      });
    }
  };
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") finish(true);
    if (event.key === "Escape") finish(false);
  });
  input.addEventListener("blur", () => finish(true));
}

async function deleteTask(task) {
  const deleted = await api("DELETE", `/${task.number}`);
  await load();
  lastDeleted = deleted;
  $("toast-text").textContent = _(
    "Deleted #%(number)s %(title)s", { number: number(deleted.number), title: deleted.title },
  );
  $("toast").hidden = false;
  clearTimeout(undoTimer);
  undoTimer = setTimeout(hideToast, UNDO_SECONDS * 1000);
  haptic("warning");
}

function hideToast() {
  $("toast").hidden = true;
  lastDeleted = null;
}

async function undoDelete() {
  if (!lastDeleted) return;
  const number = lastDeleted.number;
  hideToast();
  await api("POST", `/${number}/restore`);
  await load();
}

function haptic(kind) {
  if (tg && tg.HapticFeedback) tg.HapticFeedback.notificationOccurred(kind);
}

async function start() {
  await loadLanguage();
  applyTexts();
  if (!initData || !chatId) {
    showProblem(_("Open this app from the bot in Telegram: it needs Telegram to sign you in."));
    $("add-button").disabled = true;
    $("new-title").disabled = true;
    return;
  }
  tg.ready();
  tg.expand();
  $("heading").textContent = user && chatId === String(user.id) ? _("My tasks") : _("Group tasks");
  $("add-form").addEventListener("submit", (event) => {
    event.preventDefault();
    act(async () => {
      const title = $("new-title").value; // read now: a second tap finds it empty
      if (title.trim()) await addTask(title);
    });
  });
  $("show-open").addEventListener("click", () => act(() => switchTo(false)));
  $("show-done").addEventListener("click", () => act(() => switchTo(true)));
  $("more").addEventListener("click", () => act(loadMore));
  $("undo").addEventListener("click", () => act(undoDelete));
  act(load).then(() => { document.body.dataset.ready = "1"; });
}

start();
