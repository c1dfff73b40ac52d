/* The offline roll call (docs/attendance.md, "Offline roll call"). Progressive enhancement of the plain roll-call
   form: without script the form posts as before.

   With script, each change of a row (its mark, or its note once it has a mark) is a mark of its own: a client id
   (crypto.randomUUID) and the time it was made on this device (made_at), kept in IndexedDB first, then sent with
   PUT /api/v1/attendance/sessions/{id}/marks. The server skips a client id it already has (a retried request
   writes once) and keeps the later-made mark when two conflict, so sending a mark again is always safe. A mark
   leaves IndexedDB only when the server has answered for it: stored (200), or refused (422, 409, 403, 404: kept
   and shown as refused until dismissed). No answer (offline, a timeout, a 5xx, 401): kept and sent again — on the
   "online" event, after a growing pause, with "Sync now", and when the page is opened again.

   A newer change of a row supersedes its queued mark (one mark per row and session is what the server keeps).
   The service worker (/attendance/sw.js) keeps the pages the head teacher opened and their static files, so that
   the page also opens offline; the marks in IndexedDB are put back on the page it shows. */

const DB_NAME = "dangjian-roll-call";
const STORE = "marks";
const QUEUED = "queued";
const REJECTED = "rejected";
const FIRST_RETRY_MS = 3000;
const LAST_RETRY_MS = 60000;
const REQUEST_TIMEOUT_MS = 15000;

const form = document.querySelector("form[data-roll-call]");

function text(name, values) {
  let value = form.getAttribute("data-t-" + name) || "";
  for (const [key, replacement] of Object.entries(values || {})) {
    value = value.replace("%(" + key + ")s", replacement);
  }
  return value;
}

function uuid() {
  if (crypto.randomUUID) { return crypto.randomUUID(); }
  // Outside a secure context (plain http other than localhost) randomUUID is missing: a version 4 UUID by hand.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
}

// IndexedDB -------------------------------------------------------------------------------------------------

function request(idbRequest) {
  return new Promise((resolve, reject) => {
    idbRequest.onsuccess = () => resolve(idbRequest.result);
    idbRequest.onerror = () => reject(idbRequest.error);
  });
}

function openDatabase() {
  const opening = indexedDB.open(DB_NAME, 1);
  opening.onupgradeneeded = () => {
    const store = opening.result.createObjectStore(STORE, {keyPath: "client_id"});
    store.createIndex("user", "user");
  };
  return request(opening);
}

let database = null;

async function transaction(mode, work) {
  database = database || await openDatabase();
  const tx = database.transaction(STORE, mode);
  const result = await work(tx.objectStore(STORE));
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  return result;
}

const user = form && form.getAttribute("data-user");

function allMarks() {
  return transaction("readonly", (store) => request(store.index("user").getAll(user)));
}

/** Keep a new mark of a row; it supersedes the row's marks not yet sent or refused. */
function keep(mark) {
  return transaction("readwrite", async (store) => {
    for (const old of await request(store.index("user").getAll(user))) {
      if (old.session === mark.session && old.nomination === mark.nomination) {
        store.delete(old.client_id);
      }
    }
    store.put(mark);
  });
}

/** Forget the marks the server answered for; `refused`: client id -> message (kept, shown as refused). */
function settle(stored, refused) {
  return transaction("readwrite", async (store) => {
    for (const id of stored) { store.delete(id); }
    for (const [id, message] of Object.entries(refused)) {
      const mark = await request(store.get(id));
      if (mark) { store.put({...mark, state: REJECTED, error: message}); }
    }
  });
}

function dismissRefused() {
  return transaction("readwrite", async (store) => {
    for (const mark of await request(store.index("user").getAll(user))) {
      if (mark.state === REJECTED) { store.delete(mark.client_id); }
    }
  });
}

// The page ----------------------------------------------------------------------------------------------------

const session = Number(form && form.getAttribute("data-session"));

function rowOf(nomination) {
  return form.querySelector(`tr[data-nomination="${nomination}"]`);
}

function rowState(row) {
  const key = row.getAttribute("data-nomination");
  const checked = row.querySelector(`input[name="mark-${key}"]:checked`);
  const note = row.querySelector(`input[name="note-${key}"]`);
  return {mark: checked ? checked.value : "", note: note ? note.value.trim() : ""};
}

function showOnRow(row, mark, note) {
  const key = row.getAttribute("data-nomination");
  const radio = row.querySelector(`input[name="mark-${key}"][value="${mark}"]`);
  if (radio) { radio.checked = true; }
  const field = row.querySelector(`input[name="note-${key}"]`);
  if (field && document.activeElement !== field) { field.value = note; }
}

function source() {
  const checked = form.querySelector('input[name="source"]:checked');
  return checked ? checked.value : "roll_call";
}

function say(message) {
  form.querySelector("[data-sync-message]").textContent = message;
}

const changing = new Set();  // changes being kept: "Save" waits for them

function markChanged(row) {
  const keeping = keepChange(row);
  changing.add(keeping);
  return keeping.finally(() => changing.delete(keeping));
}

async function keepChange(row) {
  say("");
  const {mark, note} = rowState(row);
  if (!mark) { return; }  // a note alone is not a mark: it goes with the row's mark
  await keep({
    client_id: uuid(), user, session, nomination: Number(row.getAttribute("data-nomination")), mark, note,
    made_at: new Date().toISOString(), source: source(), state: QUEUED,
  });
  await render();
  syncSoon(300);
}

function lastSyncKey() { return "dangjian-roll-call-last-sync-" + user; }

async function render() {
  const marks = await allMarks();
  const here = marks.filter((mark) => mark.session === session);
  const queued = marks.filter((mark) => mark.state === QUEUED);
  const refused = here.filter((mark) => mark.state === REJECTED);
  for (const row of form.querySelectorAll("tr[data-nomination]")) {
    const badge = row.querySelector("[data-badge]");
    const mark = here.find((item) => item.nomination === Number(row.getAttribute("data-nomination")));
    row.classList.toggle("unsynced", Boolean(mark && mark.state === QUEUED));
    row.classList.toggle("refused", Boolean(mark && mark.state === REJECTED));
    badge.hidden = !mark;
    badge.textContent = mark ? text(mark.state === QUEUED ? "badge-unsynced" : "badge-rejected") : "";
  }
  const status = form.querySelector("[data-sync-status]");
  status.hidden = false;
  form.querySelector("[data-sync-count]").textContent =
    queued.length ? text("unsynced", {count: String(queued.length)}) : text("synced");
  const last = localStorage.getItem(lastSyncKey());
  form.querySelector("[data-sync-last]").textContent = last
    ? text("last-sync", {time: new Date(last).toLocaleString(document.documentElement.lang)}) : text("never");
  form.querySelector("[data-sync-note]").textContent = queued.length ? problem : "";
  const box = form.querySelector("[data-sync-rejected]");
  box.hidden = !refused.length;
  box.querySelector("[data-sync-rejected-title]").textContent = text("rejected");
  const list = box.querySelector("ul");
  list.replaceChildren(...refused.map((mark) => {
    const item = document.createElement("li");
    const row = rowOf(mark.nomination);
    item.textContent = row ? text("refused-row", {person: row.getAttribute("data-person"), message: mark.error})
      : mark.error;
    return item;
  }));
}

/** What the server holds now, for the rows with nothing of ours left to send. */
async function showRoster(roster) {
  if (roster.session_id !== session) { return; }
  const pending = new Set((await allMarks()).filter((m) => m.session === session).map((m) => m.nomination));
  for (const item of roster.rows) {
    const row = rowOf(item.nomination_id);
    if (!row || pending.has(item.nomination_id)) { continue; }
    if (item.mark) { showOnRow(row, item.mark, item.note); }
    const cell = row.querySelector("[data-source]");
    if (cell && item.source) { cell.textContent = form.getAttribute("data-source-" + item.source) || item.source; }
  }
}

// Sending -------------------------------------------------------------------------------------------------------

let problem = "";
let syncing = null;
let again = false;
let retryTimer = null;
let retryPause = FIRST_RETRY_MS;

function csrfToken() {
  // The cookie first: it is current even when the page is an older copy kept by the service worker and the token
  // was rotated since (a new login); the form's token otherwise.
  const cookie = document.cookie.split("; ").find((item) => item.startsWith("csrftoken="));
  if (cookie) { return decodeURIComponent(cookie.slice("csrftoken=".length)); }
  const field = form.querySelector('input[name="csrfmiddlewaretoken"]');
  return field ? field.value : "";
}

function apiUrl(sessionId) {
  return form.getAttribute("data-api").replace(/\/sessions\/\d+\//, `/sessions/${sessionId}/`);
}

class Unreachable extends Error {}

async function put(sessionId, kind, marks) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  let response;
  try {
    response = await fetch(apiUrl(sessionId), {
      method: "PUT", credentials: "same-origin", signal: controller.signal,
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken()},
      body: JSON.stringify({source: kind, marks: marks.map((m) => ({
        nomination_id: m.nomination, mark: m.mark, note: m.note, client_id: m.client_id, made_at: m.made_at,
      }))}),
    });
  } catch (error) {
    throw new Unreachable(text("offline"));
  } finally {
    clearTimeout(timer);
  }
  if (response.status === 401) { throw new Unreachable(text("login")); }
  if (response.status >= 500 || response.status === 429) { throw new Unreachable(text("retry")); }
  let body = {};
  try { body = await response.json(); } catch (error) { body = {}; }
  return {status: response.status, body};
}

function reason(body) {
  const parts = (body.errors || []).map((error) => error.message);
  return parts.length ? parts.join(" ") : [body.title, body.detail].filter(Boolean).join(" ");
}

/** Send one batch (one session, one source). A refused batch of several marks is sent again mark by mark, so
    that one refused mark does not hold back the others. */
async function send(sessionId, kind, marks) {
  const {status, body} = await put(sessionId, kind, marks);
  if (status === 200) {
    await settle(marks.map((m) => m.client_id), {});
    await showRoster(body);
    return;
  }
  if (status === 422 && marks.length > 1) {
    for (const mark of marks) { await send(sessionId, kind, [mark]); }
    return;
  }
  // 422 for this one mark, 409 (the class is closed), 403, 404: the server will not take it; shown, not dropped.
  await settle([], Object.fromEntries(marks.map((m) => [m.client_id, reason(body) || String(status)])));
}

async function syncAll() {
  const queued = (await allMarks()).filter((mark) => mark.state === QUEUED);
  const batches = new Map();
  for (const mark of queued) {
    const key = mark.session + " " + mark.source;
    if (!batches.has(key)) { batches.set(key, []); }
    batches.get(key).push(mark);
  }
  for (const marks of batches.values()) {
    await send(marks[0].session, marks[0].source, marks);
  }
  if (queued.length) {
    localStorage.setItem(lastSyncKey(), new Date().toISOString());
    refreshCachedPage();
  }
}

async function sync() {
  if (syncing) { again = true; return syncing; }
  clearTimeout(retryTimer);
  syncing = (async () => {
    try {
      do {
        again = false;
        await syncAll();
      } while (again);
      problem = "";
      retryPause = FIRST_RETRY_MS;
    } catch (error) {
      problem = error instanceof Unreachable ? error.message : text("retry");
      retryTimer = setTimeout(sync, retryPause);
      retryPause = Math.min(retryPause * 2, LAST_RETRY_MS);
    } finally {
      syncing = null;
      await render();
    }
  })();
  return syncing;
}

let soonTimer = null;

function syncSoon(delay) {
  clearTimeout(soonTimer);
  soonTimer = setTimeout(sync, delay);
}

// The service worker: the page and its static files, for opening the page offline -----------------------------

function pageResources() {
  const urls = [location.pathname];
  for (const element of document.querySelectorAll("script[src], link[rel~='stylesheet'][href], link[rel~='icon']")) {
    const url = new URL(element.src || element.href, location.href);
    if (url.origin === location.origin) { urls.push(url.pathname + url.search); }
  }
  return urls;
}

function tellWorker(message) {
  if (!("serviceWorker" in navigator)) { return; }
  navigator.serviceWorker.ready.then((registration) => {
    if (registration.active) { registration.active.postMessage(message); }
  });
}

function refreshCachedPage() {
  // The kept copy of this page shows the marks as they were when it was kept: keep it again now that they are in.
  if (navigator.onLine) { tellWorker({type: "keep", user, urls: [location.pathname]}); }
}

function registerWorker() {
  if (!("serviceWorker" in navigator)) { return; }
  navigator.serviceWorker.register(form.getAttribute("data-sw"))
    .then(() => tellWorker({type: "keep", user, urls: pageResources()}))
    .catch(() => {});  // no service worker (plain http, a private window): the queue still works online
}

// Wiring ------------------------------------------------------------------------------------------------------

async function start() {
  // Marks kept on this device are newer than the page (which may be the copy the service worker kept).
  for (const mark of await allMarks()) {
    const row = mark.session === session && rowOf(mark.nomination);
    if (row) { showOnRow(row, mark.mark, mark.note); }
  }
  form.addEventListener("change", (event) => {
    const row = event.target.closest("tr[data-nomination]");
    if (row) { markChanged(row); }
  });
  form.addEventListener("submit", async (event) => {
    // Every change is already kept: "Save" sends now (and a note still being typed is kept first); said done once
    // nothing is left to send.
    event.preventDefault();
    const field = document.activeElement;
    const row = field && field.closest && field.closest("tr[data-nomination]");
    if (row) { await markChanged(row); }
    await Promise.allSettled([...changing]);
    await sync();
    if (!(await allMarks()).some((mark) => mark.state === QUEUED)) {
      say(text(source() === "sheet" ? "saved-sheet" : "saved"));
    }
  });
  const allPresent = document.querySelector("form.roll-call-all");
  if (allPresent) {
    allPresent.addEventListener("submit", async (event) => {
      // "Everyone not yet marked is present", on this device: each such row gets its own mark.
      event.preventDefault();
      for (const row of form.querySelectorAll("tr[data-nomination]")) {
        if (rowState(row).mark) { continue; }
        showOnRow(row, "present", rowState(row).note);
        await markChanged(row);
      }
      say(text("all-present"));
    });
  }
  form.querySelector("[data-sync-now]").addEventListener("click", () => sync());
  form.querySelector("[data-sync-dismiss]").addEventListener("click", async () => {
    await dismissRefused();
    await render();
    // The rows show what the server holds again, when it can be asked.
    try {
      const response = await fetch(form.getAttribute("data-api"), {credentials: "same-origin",
                                                                   headers: {"Accept": "application/json"}});
      if (response.ok) { await showRoster(await response.json()); }
    } catch (error) {
      // offline: the rows keep what they show
    }
  });
  window.addEventListener("online", () => sync());
  window.addEventListener("offline", () => { problem = text("offline"); render(); });
  registerWorker();
  await render();
  sync();
}

if (form && window.indexedDB && window.fetch && window.crypto && form.querySelector("[data-sync-status]")) {
  start().catch(() => {});  // IndexedDB refused (a private window of some browsers): the plain form remains
}
