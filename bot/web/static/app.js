// The Mini App: the user's task lists on the bot's task API, signed in with Telegram's init
// data. Views (list, today, upcoming, month, mine), a task sheet that edits every field, search,
// optimistic changes that roll back when the server says no, and polling with ETags.
"use strict";

const tg = window.Telegram && window.Telegram.WebApp;
const initData = (tg && tg.initData) || "";
const user = tg && tg.initDataUnsafe && tg.initDataUnsafe.user;
const $ = (id) => document.getElementById(id);
const N_ = (text) => text; // marks a text for the catalog; translated where shown

const POLL_MS = 4000;
const UNDO_SECONDS = 6;
const VIEW_LIMIT = 500;
const BEFORE_CHOICES = [5, 10, 15, 30, 60, 120, 1440, 2880, 10080];
const NAG_CHOICES = [5, 10, 15, 30, 60, 120, 240, 1440];
const MAX_BEFORE = 5;
const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

// ---- words -------------------------------------------------------------------------------

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
  if (wanted === "en") return; // the texts' own language
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

const TEXTS = {
  "list-picker-label": N_("List"), "tab-list": N_("List"), "tab-today": N_("Today"),
  "tab-upcoming": N_("Upcoming"), "tab-month": N_("Month"), "tab-mine": N_("Assigned to me"),
  "show-open-label": N_("Open"), "show-done-label": N_("Done"), "add-button": N_("Add"),
  "more": N_("Show more"), "undo": N_("Undo"), "new-task": N_("New task"),
  "clear-done": N_("Delete done tasks"),
  "assignee-filter-label": N_("Assigned to"), "sheet-heading": N_("Task"),
  "f-done-label": N_("Done"), "f-title-label": N_("Title"), "f-note-label": N_("Note"),
  "due-legend": N_("Due"), "f-date-label": N_("Date"), "f-time-label": N_("Time"),
  "repeat-legend": N_("Repeat"), "f-every-label": N_("Every"), "f-freq-label": N_("Repeats"),
  "f-weekdays-label": N_("On"), "f-nth-label": N_("On the same weekday of the month"),
  "f-from-done-label": N_("Count from completion"), "f-until-label": N_("Until"),
  "remind-legend": N_("Reminders"), "f-before-label": N_("Also remind before"),
  "f-nag-label": N_("Remind again until done"), "assignee-legend": N_("Assignees"),
  "save": N_("Save"), "close-sheet": N_("Close"), "delete-task": N_("Delete"),
  "f-priority-label": N_("Priority"), "checklist-legend": N_("Checklist"),
  "files-legend": N_("Files"),
};

function applyTexts() {
  document.title = _("Tasks");
  for (const [id, text] of Object.entries(TEXTS)) $(id).textContent = _(text);
  $("heading").textContent = _("Tasks");
  $("search").placeholder = _("Search");
  $("search").setAttribute("aria-label", _("Search"));
  $("views").setAttribute("aria-label", _("Views"));
  $("switch").setAttribute("aria-label", _("Which tasks"));
  $("new-title").placeholder = _("Add a task");
  $("new-title").setAttribute("aria-label", _("New task"));
  $("f-new-item").placeholder = _("Add an item");
  $("f-new-item").setAttribute("aria-label", _("Add an item"));
  $("month-previous").setAttribute("aria-label", _("Previous month"));
  $("month-next").setAttribute("aria-label", _("Next month"));
}

// ---- time in the list's zone -------------------------------------------------------------

const formats = new Map();
function format(options) {
  const key = JSON.stringify(options);
  // English days keep the day-month order of the bot's messages (and its 24-hour clock).
  const dateLocale = locale === "en" ? "en-GB" : locale;
  if (!formats.has(key)) formats.set(key, new Intl.DateTimeFormat(dateLocale, options));
  return formats.get(key);
}

const partsFormats = new Map();
function wallClock(ms, zone) {
  if (!partsFormats.has(zone)) {
    partsFormats.set(zone, new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    }));
  }
  const parts = {};
  for (const { type, value } of partsFormats.get(zone).formatToParts(new Date(ms))) {
    parts[type] = Number(value);
  }
  return parts;
}

const pad = (value) => String(value).padStart(2, "0");
// The local day ("2026-06-01") and time ("18:00") of an instant in the zone.
function dayIn(ms, zone) {
  const p = wallClock(ms, zone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}
function timeIn(ms, zone) {
  const p = wallClock(ms, zone);
  return `${pad(p.hour % 24)}:${pad(p.minute)}`;
}
function offsetAt(ms, zone) {
  const p = wallClock(ms, zone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute, p.second)
    - Math.floor(ms / 1000) * 1000;
}
// The instant a local day and time in the zone stand for.
function instantOf(day, time, zone) {
  const [y, m, d] = day.split("-").map(Number);
  const [h, mi] = time.split(":").map(Number);
  const guess = Date.UTC(y, m - 1, d, h, mi);
  const first = guess - offsetAt(guess, zone);
  return new Date(guess - offsetAt(first, zone));
}
function utcOfDay(day) {
  const [y, m, d] = day.split("-").map(Number);
  return Date.UTC(y, m - 1, d);
}
function addDays(day, count) {
  return new Date(utcOfDay(day) + count * 86400000).toISOString().slice(0, 10);
}
function weekdayOf(day) {
  return (new Date(utcOfDay(day)).getUTCDay() + 6) % 7; // Monday 0
}
function dayWords(day, options) {
  return format({ timeZone: "UTC", ...options }).format(new Date(utcOfDay(day)));
}
function relativeDay(day) {
  const difference = Math.round((utcOfDay(day) - utcOfDay(today())) / 86400000);
  if (Math.abs(difference) <= 1) {
    const words = new Intl.RelativeTimeFormat(locale, { numeric: "auto" }).format(difference, "day");
    return words.charAt(0).toUpperCase() + words.slice(1);
  }
  return dayWords(day, { weekday: "short", day: "numeric", month: "short" });
}
function dueWords(task, zone) {
  const ms = Date.parse(task.due_at);
  const time = format({ timeZone: zone, ...clock() }).format(new Date(ms));
  const comma = locale.startsWith("fa") ? "، " : ", ";
  return `${relativeDay(dayIn(ms, zone))}${comma}${time}`;
}
function clock() {
  return { hour: "2-digit", minute: "2-digit" };
}
function duration(minutes) {
  const [value, unit] = minutes % 10080 === 0 ? [minutes / 10080, "week"]
    : minutes % 1440 === 0 ? [minutes / 1440, "day"]
      : minutes % 60 === 0 ? [minutes / 60, "hour"] : [minutes, "minute"];
  return new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: "long" }).format(value);
}

// ---- state -------------------------------------------------------------------------------

const wantedList = new URLSearchParams(location.search).get("chat")
  || (tg && tg.initDataUnsafe && tg.initDataUnsafe.start_param) || "";
const state = {
  lists: [],
  listId: /^-?\d{1,20}$/.test(wantedList) ? wantedList : String((user && user.id) || ""),
  zone: "UTC",
  view: "list",
  done: false,
  assignee: "",
  month: null, // "2026-06-01"
  day: null, // the month view's chosen day
  search: "",
  tasks: [],
  counts: { open: 0, done: 0 },
  nextStart: null,
  people: [],
  labels: [], // the list's labels with their counts, for the label filter
  fallsOn: {}, // the month view's repeating tasks: number -> the days they fall on
  etag: null,
  url: null,
};
const zone = () => state.zone;
const today = () => dayIn(Date.now(), zone());
const isGroup = (listId) => Number(listId) < 0;

// ---- the API -----------------------------------------------------------------------------

class ApiFailure extends Error {}

const ERRORS = {
  forbidden: N_("This list is not yours to use: it is another user's, or a group's you are not in."),
  not_found: N_("That task is no longer there."),
  unavailable: N_("The bot can't reach its storage right now. Try again in a minute."),
};

function sentence(text) {
  return text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? "" : ".");
}

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

// Answers asked for before the page's words came (the first view and the lists): taken once.
const prefetched = new Map();
function prefetch(path) {
  const answer = call("GET", path);
  answer.catch(() => {}); // its failure is said where it is taken
  prefetched.set(path, answer);
}

async function call(method, path, body, etag) {
  if (method === "GET" && !etag && prefetched.has(path)) {
    const answer = prefetched.get(path);
    prefetched.delete(path);
    return answer;
  }
  const headers = { Authorization: `tma ${initData}`, "Accept-Language": locale };
  const options = { method, headers };
  if (etag) headers["If-None-Match"] = etag;
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(`api/${path}`, options);
  } catch (error) {
    throw new ApiFailure(_("No connection to the server. Try again."));
  }
  if (response.status === 304) return { status: 304, data: null, etag };
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiFailure(describeError(response.status, data));
  return { status: response.status, data, etag: response.headers.get("ETag") };
}
const api = async (method, path, body) => (await call(method, path, body)).data;
const taskPath = (task, rest = "") => `${task.list}/tasks/${task.number}${rest}`;

function showProblem(message) {
  $("problem").textContent = message || "";
  $("problem").hidden = !message;
}

// The user's actions, one after another in the order made. A failure undoes what the page
// showed ahead of the server (`rollback`) and says why.
let queue = Promise.resolve();
function act(action, rollback) {
  queue = queue.then(async () => {
    try {
      await action();
      showProblem("");
    } catch (error) {
      if (rollback) rollback();
      if (!(error instanceof ApiFailure)) {
        console.error(error);
        showProblem(_("Something went wrong."));
        return;
      }
      showProblem(error.message);
    }
  });
  return queue;
}

// ---- loading views -----------------------------------------------------------------------

function viewPath() {
  const list = state.listId;
  if (state.search) return `${list}/search?q=${encodeURIComponent(state.search)}`;
  if (state.view === "mine") return "me/assigned";
  const query = new URLSearchParams({ limit: String(VIEW_LIMIT) });
  if (state.view === "list") {
    query.set("order", "list"); // as the chat's /list shows them: priority, due time, number
    query.set("state", state.done ? "done" : "open");
    if (state.assignee) query.set("assignee", state.assignee);
    for (const filter of FILTERS) {
      if (filterValues[filter.id]) query.set(filter.param, filterValues[filter.id]);
    }
  } else if (state.view === "today") {
    query.set("order", "due");
    query.set("to_day", today());
  } else if (state.view === "upcoming") {
    query.set("order", "due");
    query.set("from_day", addDays(today(), 1));
    query.set("to_day", addDays(today(), 14));
  } else if (state.view === "month") {
    const first = state.month;
    const next = first.slice(0, 8) === "9999-12-" ? first : nextMonth(first);
    query.set("state", "all");
    query.set("order", "due");
    query.set("repeats", "true");
    query.set("from_day", first);
    query.set("to_day", addDays(next, -1));
  }
  return `${list}/view?${query}`;
}

function nextMonth(first) {
  const [y, m] = first.split("-").map(Number);
  return m === 12 ? `${y + 1}-01-01` : `${y}-${pad(m + 1)}-01`;
}
function previousMonth(first) {
  const [y, m] = first.split("-").map(Number);
  return m === 1 ? `${y - 1}-12-01` : `${y}-${pad(m - 1)}-01`;
}

// Reads the view (conditionally, when `poll`) and draws it; returns whether it changed.
async function load(poll = false) {
  const path = viewPath();
  const answer = await call("GET", path, undefined, poll && path === state.url ? state.etag : null);
  if (answer.status === 304) return false;
  if (path !== viewPath()) return false; // the view changed meanwhile
  state.url = path;
  state.etag = answer.etag;
  const data = answer.data;
  const listOf = (task) => String(task.chat_id !== undefined ? task.chat_id : state.listId);
  state.tasks = data.tasks.map((task) => ({ ...task, list: listOf(task) }));
  if (data.timezone) state.zone = data.timezone;
  if (data.open_count !== undefined) {
    state.counts = { open: data.open_count, done: data.done_count };
    const known = state.lists.find((one) => String(one.chat_id) === state.listId);
    if (known) known.open_count = data.open_count;
  }
  state.nextStart = data.next_start || null;
  state.fallsOn = data.falls_on || {};
  render();
  if (!performance.getEntriesByName("first-render").length) performance.mark("first-render");
  return true;
}

async function loadLists() {
  const data = await api("GET", "me/lists");
  state.lists = data.lists;
  const current = state.lists.find((one) => String(one.chat_id) === state.listId);
  if (current) state.zone = current.timezone;
  renderPicker();
}

// The list's labels for the label filter: asked for conditionally (a 304, with no database
// statement, while the list is unchanged), when the list is opened, after a change and when a
// poll finds the view changed.
let labelsRead = { path: null, etag: null };
const labelsPath = () => `${state.listId}/labels`;
async function loadLabels() {
  const path = labelsPath();
  const answer = await call("GET", path, undefined, path === labelsRead.path ? labelsRead.etag : null);
  if (path !== labelsPath()) return; // the list changed meanwhile
  if (answer.status !== 304) {
    labelsRead = { path, etag: answer.etag };
    state.labels = answer.data.labels;
  }
  drawFilters();
}

// The view and the labels again, after a change.
const reload = () => Promise.all([load(), loadLabels()]);

async function loadPeople() {
  state.people = isGroup(state.listId) ? (await api("GET", `${state.listId}/people`)).people : [];
  renderAssigneeFilter();
}

// ---- drawing -----------------------------------------------------------------------------

function listName(one) {
  if (one.kind === "private") return _("My tasks");
  const group = one.title || _("Group tasks");
  return one.kind === "topic" ? _("%(group)s: topic %(topic)s", { group, topic: number(one.topic) }) : group;
}

function renderPicker() {
  const picker = $("list-picker");
  picker.replaceChildren();
  const lists = [...state.lists];
  if (!lists.some((one) => String(one.chat_id) === state.listId)) {
    lists.push({ chat_id: state.listId, kind: isGroup(state.listId) ? "group" : "private", title: null, open_count: null });
  }
  for (const one of lists) {
    const option = document.createElement("option");
    option.value = String(one.chat_id);
    const count = one.open_count ? ` (${number(one.open_count)})` : "";
    option.textContent = listName(one) + count;
    option.selected = String(one.chat_id) === state.listId;
    picker.append(option);
  }
  const current = lists.find((one) => String(one.chat_id) === state.listId);
  $("heading").textContent = current ? listName(current) : _("Tasks");
}

function renderAssigneeFilter() {
  const box = $("assignee-filter-box");
  box.hidden = !isGroup(state.listId);
  const select = $("assignee-filter");
  select.replaceChildren(new Option(_("Anyone"), ""));
  for (const person of state.people) {
    select.append(new Option(personName(person), String(person.user_id)));
  }
  select.value = state.assignee;
}

function personName(person) {
  if (user && person.user_id === user.id) return _("Me");
  return person.name || (person.username ? `@${person.username}` : `#${number(person.user_id)}`);
}

function taskRow(task) {
  const row = $("task-row").content.firstElementChild.cloneNode(true);
  row.dataset.number = task.number;
  row.dataset.list = task.list;
  row.classList.toggle("is-done", task.completed);
  const box = row.firstElementChild;
  box.checked = task.completed;
  box.setAttribute("aria-label", task.completed
    ? _("Open again: %(title)s", { title: task.title })
    : _("Done: %(title)s", { title: task.title }));
  const open = box.nextElementSibling;
  open.firstElementChild.textContent = task.title;
  const meta = [];
  if (task.due_at) {
    const overdue = !task.completed && Date.parse(task.due_at) < Date.now();
    meta.push([dueWords(task, zone()), overdue ? "overdue" : "due"]);
  }
  if (task.repeat) meta.push([task.repeat.description, "repeat"]);
  if (task.nag_minutes) meta.push([_("again every %(interval)s", { interval: duration(task.nag_minutes) }), "nag"]);
  if (task.description) meta.push([_("Note"), "note"]);
  if (task.assignees && task.assignees.length) {
    meta.push([task.assignees.map(personName).join(", "), "people"]);
  }
  meta.push(...fieldsMeta(task));
  if (task.list !== state.listId || state.view === "mine") {
    const one = state.lists.find((list) => String(list.chat_id) === task.list);
    if (one) meta.push([listName(one), "list"]);
  }
  const metaBox = open.lastElementChild;
  for (const [text, kind] of meta) {
    const part = document.createElement("span");
    part.className = kind;
    part.textContent = text;
    metaBox.append(part);
  }
  return row;
}

// A long list draws the rows a screen shows at once, and the rest in the next frame.
const FIRST_ROWS = 60;
function listOf(tasks, label) {
  const list = document.createElement("ul");
  list.className = "tasks section";
  list.setAttribute("aria-label", label);
  const rows = document.createDocumentFragment();
  for (const task of tasks.slice(0, FIRST_ROWS)) rows.append(taskRow(task));
  list.append(rows);
  if (tasks.length > FIRST_ROWS) {
    requestAnimationFrame(() => {
      if (!list.isConnected) return;
      const rest = document.createDocumentFragment();
      for (const task of tasks.slice(FIRST_ROWS)) rest.append(taskRow(task));
      list.append(rest);
    });
  }
  return list;
}

function heading(text, extra) {
  const h = document.createElement("h2");
  h.className = "group" + (extra ? ` ${extra}` : "");
  h.textContent = text;
  return h;
}

function render() {
  const content = $("content");
  content.replaceChildren();
  const tasks = state.tasks;
  const view = state.search ? "search" : state.view;
  $("list-tools").hidden = view !== "list";
  $("month-tools").hidden = view !== "month";
  $("open-count").textContent = state.counts.open ? number(state.counts.open) : "";
  $("done-count").textContent = state.counts.done ? number(state.counts.done) : "";
  $("more").hidden = !(view === "list" && state.nextStart);
  // The done list, unfiltered, can be cleared at once (the chat's /clear; Undo in the toast).
  $("clear-done").hidden = !(view === "list" && state.done && state.counts.done
    && !filtering() && !state.assignee);
  let empty = "";
  if (view === "list") drawFilters();
  if (view === "list" || view === "search") {
    if (tasks.length) content.append(listOf(tasks, view === "search" ? _("Found") : _("Tasks")));
    if (view === "search") empty = _("Nothing found.");
    else if (filtering() || state.assignee) empty = _("No tasks match the filters.");
    else empty = state.done ? _("No done tasks yet.") : _("Nothing to do. Add a task above.");
  } else if (view === "today") {
    const now = Date.now();
    const overdue = tasks.filter((task) => Date.parse(task.due_at) < now && dayIn(Date.parse(task.due_at), zone()) < today());
    const due = tasks.filter((task) => !overdue.includes(task));
    if (overdue.length) content.append(heading(_("Overdue"), "overdue"), listOf(overdue, _("Overdue")));
    if (due.length) content.append(heading(_("Today")), listOf(due, _("Today")));
    empty = _("Nothing due today.");
  } else if (view === "upcoming" || view === "mine") {
    const days = new Map();
    for (const task of tasks) {
      const key = task.due_at ? dayIn(Date.parse(task.due_at), zone()) : "";
      if (!days.has(key)) days.set(key, []);
      days.get(key).push(task);
    }
    const keys = [...days.keys()].sort((a, b) => (a === "" ? 1 : b === "" ? -1 : a < b ? -1 : 1));
    for (const key of keys) {
      const title = key ? dayWords(key, { weekday: "long", day: "numeric", month: "long" }) : _("No due date");
      content.append(heading(title), listOf(days.get(key), title));
    }
    empty = view === "mine" ? _("Nothing is assigned to you.") : _("Nothing due in the next two weeks.");
  } else if (view === "month") {
    renderMonth();
    const chosen = tasks.filter((task) => daysOf(task).includes(state.day));
    const title = dayWords(state.day, { weekday: "long", day: "numeric", month: "long" });
    content.append(heading(title));
    if (chosen.length) content.append(listOf(chosen, title));
    empty = _("Nothing due that day.");
  }
  $("empty").textContent = empty;
  $("empty").hidden = content.querySelector("li") !== null;
  // The row whose sheet was closed gets the focus back, also when it was drawn anew.
  if (focusAfter && (!document.activeElement || document.activeElement === document.body)) {
    const row = content.querySelector(`li[data-number="${focusAfter.number}"][data-list="${focusAfter.list}"] .open`);
    if (row) row.focus();
  }
  document.body.dataset.view = view;
}

// The month's days a task is on: its due day, or every day a repeating one falls on.
function daysOf(task) {
  return state.fallsOn[task.number] || [dayIn(Date.parse(task.due_at), zone())];
}

function renderMonth() {
  const first = state.month;
  $("month-title").textContent = dayWords(first, { month: "long", year: "numeric" });
  const counts = new Map();
  for (const task of state.tasks) {
    for (const key of daysOf(task)) counts.set(key, (counts.get(key) || 0) + 1);
  }
  const grid = $("month-grid");
  grid.replaceChildren();
  for (let i = 0; i < 7; i += 1) {
    const name = document.createElement("span");
    name.className = "weekday";
    name.setAttribute("aria-hidden", "true");
    name.textContent = dayWords(addDays("2024-01-01", i), { weekday: "narrow" });
    grid.append(name);
  }
  const start = addDays(first, -weekdayOf(first));
  const month = first.slice(0, 7);
  const cells = document.createDocumentFragment();
  for (let i = 0; i < 42; i += 1) {
    const day = addDays(start, i);
    if (i >= 35 && day.slice(0, 7) !== month) break;
    const cell = document.createElement("button");
    cell.type = "button";
    cell.className = "day";
    cell.dataset.day = day;
    const inMonth = day.slice(0, 7) === month;
    if (!inMonth) {
      cell.classList.add("outside");
      cell.tabIndex = -1;
      cell.disabled = true;
    }
    if (day === today()) cell.classList.add("today");
    cell.setAttribute("aria-pressed", String(day === state.day));
    const count = counts.get(day) || 0;
    const label = dayWords(day, { weekday: "long", day: "numeric", month: "long" });
    cell.setAttribute("aria-label", count ? _("%(day)s: %(count)s tasks", { day: label, count: number(count) }) : label);
    const digit = document.createElement("span");
    digit.textContent = number(Number(day.slice(8)));
    cell.append(digit);
    if (count && inMonth) {
      const dots = document.createElement("span");
      dots.className = "dots";
      dots.setAttribute("aria-hidden", "true");
      dots.textContent = "•".repeat(Math.min(count, 3));
      cell.append(dots);
    }
    cells.append(cell);
  }
  grid.append(cells);
}

// ---- navigation --------------------------------------------------------------------------

async function showView(view) {
  state.view = view;
  state.search = "";
  $("search").value = "";
  for (const tab of document.querySelectorAll("#views [role=tab]")) {
    const chosen = tab.dataset.view === view;
    tab.setAttribute("aria-selected", String(chosen));
    tab.tabIndex = chosen ? 0 : -1;
    if (chosen) $("main").setAttribute("aria-labelledby", tab.id);
  }
  if (view === "month" && !state.month) {
    state.month = `${today().slice(0, 7)}-01`;
    state.day = today();
  }
  updateTelegramButtons();
  await load();
}

async function showList(listId) {
  state.listId = String(listId);
  state.assignee = "";
  state.done = false;
  for (const filter of FILTERS) filterValues[filter.id] = ""; // another list's labels
  state.labels = [];
  const known = state.lists.find((one) => String(one.chat_id) === state.listId);
  if (known) state.zone = known.timezone;
  renderPicker();
  await Promise.all([showView(state.view === "mine" ? "list" : state.view), loadPeople(), loadLabels()]);
}

function back() {
  if (!$("sheet").hidden) closeSheet();
  else if (state.search) act(() => showView(state.view));
  else if (state.view !== "list") act(() => showView("list"));
}

function updateTelegramButtons() {
  if (!tg) return;
  const sheetOpen = !$("sheet").hidden;
  if (tg.BackButton) {
    if (sheetOpen || state.search || state.view !== "list") tg.BackButton.show();
    else tg.BackButton.hide();
  }
  if (hasMainButton()) {
    tg.MainButton.setText(sheetOpen ? _("Save") : _("New task"));
    if (sheetOpen || state.view !== "mine") tg.MainButton.show();
    else tg.MainButton.hide();
  }
  $("new-task").hidden = hasMainButton() || sheetOpen || state.view === "mine";
  $("save").hidden = hasMainButton();
}

function hasMainButton() {
  return Boolean(tg && tg.MainButton && tg.isVersionAtLeast && tg.isVersionAtLeast("6.1"));
}

function onMainButton() {
  if (!$("sheet").hidden) $("sheet-form").requestSubmit();
  else openSheet(null);
}

// ---- changes -----------------------------------------------------------------------------

function snapshot() {
  return { tasks: state.tasks.map((task) => ({ ...task })), counts: { ...state.counts } };
}
function restore(saved) {
  state.tasks = saved.tasks;
  state.counts = saved.counts;
  render();
}
// The view drops tasks that no longer belong in it (done ones from the open list).
function belongs(task) {
  if (state.search) return true;
  if (state.view === "list") {
    return task.completed === state.done && FILTERS.every((filter) => !filterValues[filter.id] || filter.keeps(task, filterValues[filter.id]));
  }
  if (state.view === "today" || state.view === "upcoming" || state.view === "mine") return !task.completed;
  return true;
}

function setCompleted(task, completed) {
  const saved = snapshot();
  const shown = state.tasks.find((one) => one.number === task.number && one.list === task.list);
  if (shown) shown.completed = completed;
  state.tasks = state.tasks.filter(belongs);
  state.counts.open += completed ? -1 : 1;
  state.counts.done += completed ? 1 : -1;
  render();
  if (completed) haptic("success");
  return act(async () => {
    if (completed) await api("PATCH", taskPath(task, "/complete"));
    else await api("PUT", taskPath(task), { completed: false });
    await reload();
  }, () => restore(saved));
}

let undoTimer = null;
let lastDeleted = null;
let lastCleared = null; // the stamp of the last clear of done tasks, for its Undo
function deleteTask(task) {
  const saved = snapshot();
  state.tasks = state.tasks.filter((one) => !(one.number === task.number && one.list === task.list));
  if (task.completed) state.counts.done -= 1;
  else state.counts.open -= 1;
  render();
  return act(async () => {
    const deleted = await api("DELETE", taskPath(task));
    showUndo(_("Deleted #%(number)s %(title)s", { number: number(deleted.number), title: deleted.title }));
    lastDeleted = { ...deleted, list: task.list };
    await reload();
  }, () => restore(saved));
}

// The list's done tasks deleted at once (the API's clear, as the chat's /clear), with Undo.
function clearDone() {
  const saved = snapshot();
  const listId = state.listId;
  state.tasks = state.tasks.filter((one) => !one.completed);
  state.counts.done = 0;
  render();
  return act(async () => {
    const cleared = await api("POST", `${listId}/tasks/clear`);
    if (cleared.count) {
      showUndo(_("Done tasks deleted: %(count)s", { count: number(cleared.count) }));
      lastCleared = { list: listId, stamp: cleared.stamp };
    }
    await reload();
  }, () => restore(saved));
}

function showUndo(text) {
  hideToast();
  $("toast-text").textContent = text;
  $("toast").hidden = false;
  clearTimeout(undoTimer);
  undoTimer = setTimeout(hideToast, UNDO_SECONDS * 1000);
  haptic("warning");
}

function hideToast() {
  $("toast").hidden = true;
  lastDeleted = null;
  lastCleared = null;
}

async function undoDelete() {
  const task = lastDeleted;
  const cleared = lastCleared;
  hideToast();
  if (task) await api("POST", taskPath(task, "/restore"));
  else if (cleared) await api("POST", `${cleared.list}/tasks/clear/undo`, { stamp: cleared.stamp });
  else return;
  await reload();
}

function addTask(title) {
  const saved = snapshot();
  const pending = { number: 0, list: state.listId, title, completed: false, assignees: [], labels: labelsOf(title) };
  if (state.view === "list" && !state.done) {
    if (belongs(pending)) state.tasks = [...state.tasks, pending]; // else filtered out
    state.counts.open += 1;
    render();
  }
  return act(async () => {
    await api("POST", `${state.listId}/tasks`, { title });
    haptic("success");
    if (state.view === "list" && state.done) await Promise.all([switchDone(false), loadLabels()]);
    else await reload();
  }, () => restore(saved));
}

async function switchDone(done) {
  state.done = done;
  $("show-open").setAttribute("aria-pressed", String(!done));
  $("show-done").setAttribute("aria-pressed", String(done));
  await load();
}

function haptic(kind) {
  if (tg && tg.HapticFeedback) tg.HapticFeedback.notificationOccurred(kind);
}

// ---- priority, labels, checklist and files ----------------------------------------------
// What a row shows of them, and the list's filters by priority and label. The sheet edits the
// priority and the checklist; labels are the title's hashtags, and files are attached in the
// chat (the API gives no upload), so the sheet shows both and says how to change them.

function element(tag, className, text) {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
}

const PRIORITIES = [[1, N_("High")], [2, N_("Medium")], [3, N_("Low")]];
const FILE_KINDS = { photo: N_("Photo"), voice: N_("Voice message"), video: N_("Video"), document: N_("File") };
const hashtags = (labels) => labels.map((label) => `#${label}`).join(" ");

function fieldsMeta(task) {
  const meta = [];
  if (task.priority) meta.push([`!${number(task.priority)}`, "priority"]);
  if (task.labels && task.labels.length) meta.push([hashtags(task.labels), "labels"]);
  const items = task.checklist || [];
  if (items.length) {
    const ticked = items.filter((item) => item.done).length;
    meta.push([`☑ ${number(ticked)}/${number(items.length)}`, "checklist"]);
  }
  if (task.attachments && task.attachments.length) {
    meta.push([`📎 ${number(task.attachments.length)}`, "files"]);
  }
  return meta;
}

// The list view's filters: the server applies them (the view's `priority` and `label`), so
// they find every matching task of the list, not just those loaded. A filter with nothing to
// choose is not shown. The labels offered are the list's with tasks open (or done, as shown),
// and the chosen one. `keeps` says what the page shows of a change before the server answers.
const FILTERS = [
  {
    id: "priority-filter", param: "priority", label: N_("Priority"), any: N_("Any priority"),
    options: () => PRIORITIES.map(([value, text]) => [String(value), _(text)]),
    keeps: (task, value) => String(task.priority || "") === value,
  },
  {
    id: "label-filter", param: "label", label: N_("Label"), any: N_("Any label"),
    options: () => {
      const chosen = filterValues["label-filter"];
      const shown = state.labels.filter((one) => (state.done ? one.done_count : one.open_count) || one.label === chosen)
        .map((one) => one.label);
      if (chosen && !shown.includes(chosen)) shown.push(chosen);
      return shown.map((label) => [label, `#${label}`]);
    },
    keeps: (task, value) => (task.labels || []).includes(value),
  },
];
const filterValues = {};
const filtering = () => FILTERS.some((filter) => filterValues[filter.id]);

function drawFilters() {
  const box = $("more-filters");
  if (!box.childElementCount) {
    for (const filter of FILTERS) {
      const label = element("label", "filter");
      const select = element("select");
      select.id = filter.id;
      select.addEventListener("change", () => {
        filterValues[filter.id] = select.value;
        act(() => load());
      });
      const name = element("span", "", _(filter.label));
      name.id = `${filter.id}-label`;
      select.setAttribute("aria-labelledby", name.id); // the name without the chosen value
      label.append(name, select);
      box.append(label);
    }
  }
  for (const filter of FILTERS) {
    const select = $(filter.id);
    const options = filter.options().map(([value, text]) => new Option(text, value));
    select.replaceChildren(new Option(_(filter.any), ""), ...options);
    select.value = filterValues[filter.id] || "";
    select.closest("label").hidden = !options.length && !select.value;
  }
}

// The labels a title gives, as storage/task_fields.py reads them (`#` not after a letter, digit,
// `_` or `#`; not digits only; lower-case; each once; the first 10 of at most 64 characters):
// the sheet shows them while the title is typed. The server's reading is the one kept.
const HASHTAG = /(?<![\p{L}\p{N}_#])#([\p{L}\p{N}_]+)/gu;
function labelsOf(title) {
  const labels = [];
  for (const match of title.matchAll(HASHTAG)) {
    const label = match[1].toLowerCase();
    if (/^\p{Nd}+$/u.test(label) || labels.includes(label) || label.length > 64) continue;
    labels.push(label);
    if (labels.length === 10) break;
  }
  return labels;
}

function drawLabels() {
  const labels = labelsOf($("f-title").value);
  const hint = _("Hashtags in the title are its labels.");
  $("f-labels").textContent = labels.length ? `${hashtags(labels)} · ${hint}` : hint;
}

function addItem(item) {
  const row = element("div", "row check item");
  const done = element("input");
  done.type = "checkbox";
  done.checked = item.done;
  done.setAttribute("aria-label", _("Done: %(title)s", { title: item.text }));
  const text = element("input");
  text.value = item.text;
  text.maxLength = 256;
  text.setAttribute("aria-label", _("Item"));
  const remove = element("button", "icon", "✕");
  remove.type = "button";
  remove.setAttribute("aria-label", _("Remove %(item)s", { item: item.text }));
  remove.addEventListener("click", () => {
    row.remove();
    $("f-new-item").focus();
  });
  row.append(done, text, remove);
  $("f-checklist").append(row);
}

function sheetChecklist() {
  return [...$("f-checklist").querySelectorAll(".item")].map((row) => {
    const [done, text] = row.querySelectorAll("input");
    return { text: text.value, done: done.checked };
  }).filter((item) => item.text.trim());
}

function drawFiles(task) {
  const files = (task && task.attachments) || [];
  $("file-fields").hidden = !task;
  const list = $("f-files");
  list.replaceChildren();
  for (const file of files) {
    list.append(element("li", "", file.name || _(FILE_KINDS[file.kind] || FILE_KINDS.document)));
  }
  list.hidden = !files.length;
  $("files-hint").textContent = task
    ? _("Files are attached in the chat: reply to /show %(number)s with a photo, document, voice note or video.", { number: String(task.number) }) // a command: its digits as typed
    : "";
}

// ---- the task sheet ----------------------------------------------------------------------

let editing = null; // the task the sheet shows (null: a new one)
let returnFocus = null;
let focusAfter = null; // {number, list} of the row to focus when the list is drawn again
const form = {
  weekdays: new Set(),
  before: new Set(),
  assignees: new Set(),
};

function buildSheetControls() {
  const freq = $("f-freq");
  freq.replaceChildren(
    new Option(_("Never"), ""), new Option(_("Daily"), "daily"), new Option(_("Weekly"), "weekly"),
    new Option(_("Monthly"), "monthly"), new Option(_("Yearly"), "yearly"),
  );
  const weekdays = $("f-weekdays");
  WEEKDAYS.forEach((code, index) => {
    weekdays.append(chip(dayWords(addDays("2024-01-01", index), { weekday: "short" }), code, "weekdays"));
  });
  const before = $("f-before");
  for (const minutes of BEFORE_CHOICES) {
    before.append(chip(duration(minutes), minutes, "before", _("%(interval)s before", { interval: duration(minutes) })));
  }
  const nag = $("f-nag");
  nag.append(new Option(_("No"), ""));
  for (const minutes of NAG_CHOICES) nag.append(new Option(_("Every %(interval)s", { interval: duration(minutes) }), String(minutes)));
  const priority = $("f-priority");
  priority.append(new Option(_("None"), ""));
  for (const [value, text] of PRIORITIES) priority.append(new Option(_(text), String(value)));
  const quick = $("due-quick");
  for (const [text, pick] of [
    [N_("This evening"), () => [today(), "18:00"]],
    [N_("Tomorrow morning"), () => [addDays(today(), 1), "09:00"]],
    [N_("Next week"), () => [addDays(today(), 7 - weekdayOf(today())), "09:00"]],
    [N_("No due date"), () => ["", ""]],
  ]) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "chip";
    button.textContent = _(text);
    button.addEventListener("click", () => {
      const [day, time] = pick();
      $("f-date").value = day;
      $("f-time").value = time;
      syncRepeat();
    });
    quick.append(button);
  }
}

function chip(text, value, key, label) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "chip";
  button.textContent = text;
  if (label) button.setAttribute("aria-label", label);
  button.dataset.value = String(value);
  button.addEventListener("click", () => {
    const chosen = form[key]; // a new set for each task the sheet opens
    if (chosen.has(value)) chosen.delete(value);
    else if (key !== "before" || chosen.size < MAX_BEFORE) chosen.add(value);
    drawChips();
  });
  return button;
}

function drawChips() {
  for (const [id, chosen] of [["f-weekdays", form.weekdays], ["f-before", form.before]]) {
    for (const button of $(id).querySelectorAll(".chip")) {
      const value = id === "f-before" ? Number(button.dataset.value) : button.dataset.value;
      button.setAttribute("aria-pressed", String(chosen.has(value)));
    }
  }
}

function openSheet(task) {
  editing = task;
  returnFocus = document.activeElement;
  const zoneNow = task ? zoneOf(task.list) : zone();
  const due = task && task.due_at ? Date.parse(task.due_at) : null;
  $("f-done").checked = Boolean(task && task.completed);
  $("f-done").closest("label").hidden = !task;
  $("f-title").value = task ? task.title : "";
  $("f-note").value = (task && task.description) || "";
  drawLabels();
  $("f-priority").value = task && task.priority ? String(task.priority) : "";
  $("f-checklist").replaceChildren();
  for (const item of (task && task.checklist) || []) addItem(item);
  $("f-new-item").value = "";
  drawFiles(task);
  $("f-date").value = due ? dayIn(due, zoneNow) : "";
  $("f-time").value = due ? timeIn(due, zoneNow) : "";
  $("zone-hint").textContent = _("Times are in %(zone)s.", { zone: zoneNow.replaceAll("_", " ") });
  const repeat = task && task.repeat;
  $("f-freq").value = repeat ? repeat.freq : "";
  $("f-interval").value = repeat ? repeat.interval : 1;
  form.weekdays = new Set(repeat ? repeat.weekdays : []);
  $("f-nth").checked = Boolean(repeat && repeat.nth);
  $("f-from-done").checked = Boolean(repeat && repeat.from_completion);
  $("f-until").value = (repeat && repeat.until) || "";
  $("repeat-words").textContent = repeat ? repeat.description : "";
  form.before = new Set(task ? task.remind_before : []);
  const nag = $("f-nag");
  const nagValue = task && task.nag_minutes ? String(task.nag_minutes) : "";
  if (nagValue && ![...nag.options].some((option) => option.value === nagValue)) {
    nag.append(new Option(_("Every %(interval)s", { interval: duration(task.nag_minutes) }), nagValue));
  }
  nag.value = nagValue;
  const list = task ? task.list : state.listId;
  form.assignees = new Set(((task && task.assignees) || []).map((person) => person.user_id));
  $("assignee-fields").hidden = !isGroup(list);
  drawPeople(task);
  $("delete-task").hidden = !task;
  $("task-dates").textContent = task && task.created_at
    ? _("#%(number)s, added %(date)s", { number: number(task.number), date: format({ dateStyle: "medium" }).format(new Date(task.created_at)) })
    : "";
  $("sheet-heading").textContent = task ? _("Task #%(number)s", { number: number(task.number) }) : _("New task");
  drawChips();
  syncRepeat();
  $("sheet").hidden = false;
  // Closing the app with the sheet open asks first: its changes are not saved yet.
  if (tg && tg.enableClosingConfirmation) tg.enableClosingConfirmation();
  $("top").inert = true;
  $("main").inert = true;
  updateTelegramButtons();
  $("f-title").focus();
}

function zoneOf(listId) {
  const known = state.lists.find((one) => String(one.chat_id) === String(listId));
  return known ? known.timezone : zone();
}

function drawPeople(task) {
  const box = $("f-assignees");
  box.replaceChildren();
  const people = [...state.people];
  for (const person of (task && task.assignees) || []) {
    if (!people.some((one) => one.user_id === person.user_id)) people.push(person);
  }
  for (const person of people) {
    const label = document.createElement("label");
    label.className = "row check";
    const box2 = document.createElement("input");
    box2.type = "checkbox";
    box2.checked = form.assignees.has(person.user_id);
    box2.addEventListener("change", () => {
      if (box2.checked) form.assignees.add(person.user_id);
      else form.assignees.delete(person.user_id);
    });
    label.append(box2, ` ${personName(person)}`);
    box.append(label);
  }
}

function syncRepeat() {
  const freq = $("f-freq").value;
  const dated = Boolean($("f-date").value);
  $("repeat-fields").disabled = !dated;
  $("remind-fields").querySelector("#f-before").hidden = !dated;
  for (const id of ["f-interval", "f-from-done", "f-until"]) $(id).closest("label").hidden = !freq;
  // Counted from completion, a repeat falls on no chosen days: only the interval counts.
  const fromDone = $("f-from-done").checked;
  $("f-weekdays").hidden = freq !== "weekly" || fromDone;
  $("f-nth-box").hidden = (freq !== "monthly" && freq !== "yearly") || fromDone;
  if (freq === "weekly" && !fromDone && form.weekdays.size === 0 && dated) {
    form.weekdays.add(WEEKDAYS[weekdayOf($("f-date").value)]);
    drawChips();
  }
}

function closeSheet() {
  $("sheet").hidden = true;
  if (tg && tg.disableClosingConfirmation) tg.disableClosingConfirmation();
  $("top").inert = false;
  $("main").inert = false;
  focusAfter = editing ? { number: editing.number, list: editing.list } : null;
  editing = null;
  updateTelegramButtons();
  if (returnFocus && returnFocus.isConnected) returnFocus.focus();
}

// What the sheet changes, as the API's PUT body (only what differs from the task).
function sheetChanges(task) {
  const body = {};
  const zoneNow = zoneOf(task.list);
  const title = $("f-title").value;
  if (title.trim() && title !== task.title) body.title = title;
  const note = $("f-note").value;
  if (note !== (task.description || "")) body.description = note.trim() ? note : null;
  if ($("f-done").checked !== task.completed) body.completed = $("f-done").checked;
  const day = $("f-date").value;
  const time = $("f-time").value || "09:00";
  const dueAt = day ? instantOf(day, time, zoneNow).toISOString() : null;
  const repeat = day ? sheetRepeat(day, time) : null;
  const before = [...form.before].sort((a, b) => b - a);
  const oldDue = task.due_at ? new Date(task.due_at).toISOString() : null;
  const oldRepeat = task.repeat ? JSON.stringify(repeatFields(task.repeat)) : "null";
  if (dueAt !== oldDue || JSON.stringify(repeat) !== oldRepeat) {
    body.due_at = dueAt;
    if (repeat) body.repeat = repeat;
  }
  if (day && JSON.stringify(before) !== JSON.stringify([...(task.remind_before || [])].sort((a, b) => b - a))) {
    body.remind_before = before;
  }
  const nag = $("f-nag").value ? Number($("f-nag").value) : null;
  if (nag !== (task.nag_minutes || null)) body.nag_minutes = nag;
  const priority = $("f-priority").value ? Number($("f-priority").value) : null;
  if (priority !== (task.priority || null)) body.priority = priority;
  const items = sheetChecklist();
  const had = (task.checklist || []).map(({ text, done }) => ({ text, done }));
  if (JSON.stringify(items) !== JSON.stringify(had)) body.checklist = items;
  if (isGroup(task.list)) {
    const wanted = [...form.assignees].sort();
    const had = ((task.assignees) || []).map((person) => person.user_id).sort();
    if (JSON.stringify(wanted) !== JSON.stringify(had)) body.assignees = wanted;
  }
  return body;
}

function repeatFields(repeat) {
  const fields = {};
  for (const key of ["freq", "interval", "weekdays", "nth", "month_day", "month", "time", "until", "start", "from_completion"]) {
    fields[key] = repeat[key];
  }
  return fields;
}

function sheetRepeat(day, time) {
  const freq = $("f-freq").value;
  if (!freq) return null;
  const interval = Math.max(1, Number($("f-interval").value) || 1);
  const fromDone = $("f-from-done").checked;
  const weekday = WEEKDAYS[weekdayOf(day)];
  const date = Number(day.slice(8));
  const byWeekday = (freq === "monthly" || freq === "yearly") && $("f-nth").checked;
  if (fromDone) {
    // The next time is `interval` days, weeks, months or years after the day it is done.
    return {
      freq, interval, weekdays: [], nth: null, month_day: null, month: null, time,
      until: $("f-until").value || null, start: null, from_completion: true,
    };
  }
  return {
    freq,
    interval,
    weekdays: freq === "weekly" ? WEEKDAYS.filter((code) => form.weekdays.has(code))
      : byWeekday ? [weekday] : [],
    nth: byWeekday ? (date > 28 ? -1 : Math.ceil(date / 7)) : null,
    month_day: (freq === "monthly" || freq === "yearly") && !byWeekday ? date : null,
    month: freq === "yearly" ? Number(day.slice(5, 7)) : null,
    time,
    until: $("f-until").value || null,
    // An interval counts from the day it started (kept while the task repeats on).
    start: interval > 1 ? ((editing && editing.repeat && editing.repeat.start) || day) : null,
    from_completion: false,
  };
}

function saveSheet() {
  const task = editing;
  if (!task) {
    const title = $("f-title").value;
    if (!title.trim()) {
      showProblem(_("The title is empty."));
      return;
    }
    const draft = { number: 0, list: state.listId, title, completed: false, remind_before: [] };
    const changes = sheetChanges(draft);
    // What a new task takes at once; the rest is a change to it.
    const fresh = { title, description: changes.description || null };
    for (const key of ["priority", "checklist"]) {
      if (key in changes) fresh[key] = changes[key];
    }
    for (const key of ["title", "description", "priority", "checklist"]) delete changes[key];
    closeSheet();
    act(async () => {
      const created = await api("POST", `${state.listId}/tasks`, fresh);
      if (Object.keys(changes).length) {
        await api("PUT", taskPath({ ...created, list: state.listId }), changes);
      }
      haptic("success");
      await reload();
    });
    return;
  }
  const changes = sheetChanges(task);
  closeSheet();
  if (!Object.keys(changes).length) return;
  const saved = snapshot();
  const shown = state.tasks.find((one) => one.number === task.number && one.list === task.list);
  if (shown) {
    if (changes.title) shown.title = changes.title;
    if ("description" in changes) shown.description = changes.description;
    if ("completed" in changes) shown.completed = changes.completed;
    if ("due_at" in changes) shown.due_at = changes.due_at;
    if ("nag_minutes" in changes) shown.nag_minutes = changes.nag_minutes;
    if ("priority" in changes) shown.priority = changes.priority;
    if ("checklist" in changes) shown.checklist = changes.checklist;
    if (changes.title) shown.labels = labelsOf(changes.title);
    state.tasks = state.tasks.filter(belongs);
    render();
  }
  if (changes.completed) haptic("success");
  act(async () => {
    await api("PUT", taskPath(task), changes);
    await reload();
  }, () => restore(saved));
}

// ---- polling -----------------------------------------------------------------------------

let polling = false;
async function poll() {
  if (polling || document.hidden || !$("sheet").hidden) return;
  polling = true;
  try {
    await queue;
    if (await load(true)) await loadLabels(); // changed elsewhere: its labels may have too
  } catch (error) {
    // Polling says nothing of a failure: the next action will.
  } finally {
    polling = false;
  }
}

// ---- start -------------------------------------------------------------------------------

function listen() {
  $("list-picker").addEventListener("change", (event) => act(() => showList(event.target.value)));
  for (const tab of document.querySelectorAll("#views [role=tab]")) {
    tab.addEventListener("click", () => act(() => showView(tab.dataset.view)));
  }
  $("views").addEventListener("keydown", (event) => {
    const tabs = [...document.querySelectorAll("#views [role=tab]")];
    const at = tabs.indexOf(document.activeElement);
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (at < 0 || !step) return;
    const next = tabs[(at + (document.dir === "rtl" ? -step : step) + tabs.length) % tabs.length];
    next.focus();
    next.click();
  });
  let searching = null;
  $("search").addEventListener("input", () => {
    clearTimeout(searching);
    searching = setTimeout(() => {
      state.search = $("search").value.trim();
      updateTelegramButtons();
      act(() => load());
    }, 250);
  });
  $("add-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const title = $("new-title").value; // read now: a second tap finds it empty
    if (!title.trim()) return;
    $("new-title").value = "";
    addTask(title);
  });
  $("show-open").addEventListener("click", () => act(() => switchDone(false)));
  $("show-done").addEventListener("click", () => act(() => switchDone(true)));
  $("assignee-filter").addEventListener("change", (event) => {
    state.assignee = event.target.value;
    act(() => load());
  });
  $("clear-done").addEventListener("click", () => clearDone());
  $("more").addEventListener("click", () => act(async () => {
    // The next page of the same view (its order and assignee filter), from its first task on.
    const path = `${viewPath()}&start=${state.nextStart}`;
    const data = await api("GET", path);
    state.tasks = [...state.tasks, ...data.tasks.map((task) => ({ ...task, list: state.listId }))];
    state.nextStart = data.next_start;
    render();
  }));
  $("month-previous").addEventListener("click", () => moveMonth(previousMonth(state.month)));
  $("month-next").addEventListener("click", () => moveMonth(nextMonth(state.month)));
  $("month-grid").addEventListener("click", (event) => {
    const cell = event.target.closest(".day");
    if (!cell || cell.disabled) return;
    state.day = cell.dataset.day;
    render();
    $("month-grid").querySelector(`[data-day="${state.day}"]`).focus();
  });
  $("content").addEventListener("change", (event) => {
    if (!event.target.matches(".done")) return;
    const row = event.target.closest("li");
    const task = findTask(row);
    if (task) setCompleted(task, event.target.checked);
  });
  $("content").addEventListener("click", (event) => {
    const open = event.target.closest(".open");
    if (!open) return;
    const task = findTask(open.closest("li"));
    if (task && task.number) act(() => openTask(task));
  });
  $("new-task").addEventListener("click", () => openSheet(null));
  $("sheet-form").addEventListener("submit", (event) => {
    event.preventDefault();
    saveSheet();
  });
  $("close-sheet").addEventListener("click", closeSheet);
  $("delete-task").addEventListener("click", () => {
    const task = editing;
    closeSheet();
    deleteTask(task);
  });
  $("f-freq").addEventListener("change", syncRepeat);
  $("f-title").addEventListener("input", drawLabels);
  $("f-new-item").addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault(); // Enter adds the item; it does not save the sheet
    const adding = $("f-new-item");
    if (adding.value.trim()) addItem({ text: adding.value, done: false });
    adding.value = "";
  });
  $("f-date").addEventListener("change", syncRepeat);
  $("f-from-done").addEventListener("change", syncRepeat);
  $("sheet").addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeSheet();
  });
  $("undo").addEventListener("click", () => act(undoDelete));
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) poll();
  });
  setInterval(poll, POLL_MS);
  if (tg) {
    if (tg.BackButton) tg.BackButton.onClick(back);
    if (hasMainButton()) tg.MainButton.onClick(onMainButton);
  }
}

function moveMonth(first) {
  state.month = first;
  state.day = first.slice(0, 7) === today().slice(0, 7) ? today() : first;
  act(() => load());
}

function findTask(row) {
  return row && state.tasks.find((task) => String(task.number) === row.dataset.number && task.list === row.dataset.list);
}

// The sheet shows the task as it is now, with its assignees (a search result has none).
async function openTask(task) {
  const fresh = await api("GET", taskPath(task));
  openSheet({ ...fresh, list: task.list });
}

async function start() {
  if (initData && state.listId) {
    prefetch(viewPath());
    prefetch("me/lists");
    prefetch(labelsPath());
  }
  await loadLanguage();
  applyTexts();
  if (!initData || !state.listId) {
    showProblem(_("Open this app from the bot in Telegram: it needs Telegram to sign you in."));
    $("add-button").disabled = true;
    $("new-title").disabled = true;
    return;
  }
  tg.ready();
  tg.expand();
  if (tg.setHeaderColor && tg.isVersionAtLeast && tg.isVersionAtLeast("6.1")) {
    // Telegram's header and the page's background in the page's own colour.
    tg.setHeaderColor("secondary_bg_color");
    tg.setBackgroundColor("secondary_bg_color");
  }
  const mobile = ["android", "ios"].includes(tg.platform);
  if (mobile && tg.requestFullscreen && tg.isVersionAtLeast && tg.isVersionAtLeast("8.0")) {
    tg.requestFullscreen();
  }
  buildSheetControls();
  listen();
  renderPicker();
  updateTelegramButtons();
  $("list-tools").hidden = false;
  await act(() => Promise.all([load(), loadLists(), loadPeople(), loadLabels()]).then(() => render()));
  document.body.dataset.ready = "1";
}

start();
