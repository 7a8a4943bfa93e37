// Parley's web client: accounts over the REST API, chat over Socket.IO with the seed's events
// (send_message, get_messages, receive_message, messages_list). Plain JavaScript, no build
// step. Message text only ever reaches the page through textContent, never as HTML.
import { io } from "./socket.io.esm.min.js";

const PAGE_SIZE = 50;            // messages per get_messages page
const ACK_TIMEOUT_MS = 10000;    // a send without an answer by then is shown as failed
const PEOPLE_REFRESH_MS = 30000; // online states are polled (presence is not pushed yet)
const SESSION_KEY = "parley.session";
const SESSION_EXPIRED = "Your session has expired. Please log in again.";
const HISTORY_RETRIES = 5;       // get_messages answered RATE_LIMITED: tries again this often

const $ = (id) => document.getElementById(id);
const ui = {
  loginView: $("login-view"), loginForm: $("login-form"), username: $("username"), password: $("password"),
  loginError: $("login-error"), chatView: $("chat-view"), connection: $("connection"), me: $("me"),
  logout: $("logout"), search: $("search"), peopleStatus: $("people-status"), people: $("people"),
  title: $("conversation-title"), peerState: $("peer-state"), back: $("back"), log: $("messages"),
  older: $("older"), historyStatus: $("history-status"), list: $("message-list"), composer: $("composer"),
  input: $("message"), send: $("send"), notice: $("notice"),
};

let session = null;       // {token, user: {id, name, username}}
let socket = null;
let everConnected = false;
let timers = [];
let people = [];          // the last search's answer: [{id, name, online}], without oneself
const unread = new Set(); // ids of people with messages not seen yet
const known = new Map();  // id -> name, of everyone seen (search results and messages)
let peer = null;          // the open conversation's other person: {id, name}
let hasMore = false;
let loadingOlder = false;
let historyQueue = Promise.resolve();
const pending = new Map(); // clientMessageId -> {li, receiverId, content, state}

// --- session --------------------------------------------------------------------------------

function storedSession() {
  try {
    const value = JSON.parse(localStorage.getItem(SESSION_KEY));
    return value && typeof value.token === "string" && value.user && value.user.id ? value : null;
  } catch {
    return null;
  }
}

function tokenExpiry(token) {
  try {
    const claims = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return typeof claims.exp === "number" ? claims.exp * 1000 : null;
  } catch {
    return null;
  }
}

// REST with the session's token (same origin only: the token never leaves Parley).
async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (session) headers.authorization = `Bearer ${session.token}`;
  const response = await fetch(path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "omit", cache: "no-store",
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    // an empty or non-JSON body: the status tells enough
  }
  if (response.status === 401 && session) endSession(SESSION_EXPIRED);
  return { status: response.status, data };
}

function showLogin(message = "") {
  document.body.dataset.view = "login";
  ui.chatView.hidden = true;
  ui.loginView.hidden = false;
  ui.loginError.textContent = message;
  ui.username.focus();
}

function startSession(value, { restored = false } = {}) {
  session = value;
  localStorage.setItem(SESSION_KEY, JSON.stringify(value));
  document.body.dataset.view = "chat";
  ui.loginView.hidden = true;
  ui.chatView.hidden = false;
  ui.me.textContent = value.user.name;
  ui.me.title = `Logged in as ${value.user.username ?? value.user.name}`;
  // The server ends the connection at the token's expiry (an "Unauthorized" error, then a
  // disconnect). This timer, on the page's own clock, covers the time the page is offline; it
  // fires a little late, so that a clock slightly fast does not end a session that is valid.
  const expiry = tokenExpiry(value.token);
  if (expiry !== null) {
    const left = expiry - Date.now();
    if (left <= 0) return endSession(SESSION_EXPIRED);
    // setTimeout holds at most ~24.8 days; a longer token is checked by the server anyway.
    if (left < 2 ** 31 - 5000) timers.push(setTimeout(() => endSession(SESSION_EXPIRED), left + 5000));
  }
  connect();
  loadPeople();
  timers.push(setInterval(() => document.visibilityState === "visible" && loadPeople(), PEOPLE_REFRESH_MS));
  if (restored) {
    // The stored name may be stale, and the token revoked by a new secret: ask once.
    api("GET", "/api/users/me").then(({ status, data }) => {
      if (status === 200 && data && session) {
        session.user = { ...session.user, ...data };
        ui.me.textContent = session.user.name;
      }
    }, () => {});
  }
  ui.search.focus();
}

// Back to the login form; `message` says why (expiry), or nothing after Log out.
function endSession(message = "") {
  if (!session) return;
  session = null;
  localStorage.removeItem(SESSION_KEY);
  for (const timer of timers) clearTimeout(timer), clearInterval(timer);
  timers = [];
  if (socket) {
    socket.removeAllListeners();
    socket.io.removeAllListeners();
    socket.disconnect();
    socket = null;
  }
  everConnected = false;
  hideNotice();
  people = [];
  unread.clear();
  known.clear();
  pending.clear();
  closeConversation();
  ui.people.replaceChildren();
  ui.search.value = "";
  updateTitle();
  showLogin(message);
}

ui.loginForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const register = event.submitter?.value === "register";
  const username = ui.username.value.trim();
  const password = ui.password.value;
  if (!username || !password) {
    ui.loginError.textContent = "Enter a username and a password.";
    (username ? ui.password : ui.username).focus();
    return;
  }
  const buttons = ui.loginForm.querySelectorAll("button");
  buttons.forEach((b) => (b.disabled = true));
  ui.loginError.textContent = "";
  try {
    const { status, data } = await api("POST", register ? "/api/auth/register" : "/api/auth/login", { username, password });
    if ((status === 200 || status === 201) && data?.token && data.user) {
      ui.password.value = "";
      startSession({ token: data.token, user: data.user });
      return;
    }
    let message = data?.error || `The server answered ${status}.`;
    if (status === 409) message += ". Pick another username, or log in if it is yours.";
    ui.loginError.textContent = message;
    ui.password.select();
  } catch {
    ui.loginError.textContent = "Cannot reach the server. Check the connection and try again.";
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
});

ui.logout.addEventListener("click", () => endSession());

// Another tab logged out, or in as someone else.
window.addEventListener("storage", (event) => {
  if (event.key !== SESSION_KEY) return;
  const other = storedSession();
  if (!other && session) endSession("You logged out in another tab.");
  else if (other && (!session || other.user.id !== session.user.id)) location.reload();
});

// --- connection -----------------------------------------------------------------------------

const CONNECTION_TEXT = { connecting: "Connecting…", connected: "Connected", reconnecting: "Reconnecting…", offline: "Offline" };

function setConnection(state) {
  if (!navigator.onLine && state !== "connected") state = "offline";
  ui.connection.dataset.state = state;
  ui.connection.textContent = CONNECTION_TEXT[state];
}

function connect() {
  everConnected = false;
  setConnection("connecting");
  socket = io({ auth: { token: session.token } });
  socket.on("connect", () => {
    setConnection("connected");
    document.body.dataset.transport = socket.io.engine.transport.name;
    socket.io.engine.once("upgrade", (transport) => (document.body.dataset.transport = transport.name));
    if (everConnected && !socket.recovered) {
      // Whatever arrived while we were away is in the database: fetch the newest page again.
      if (peer) loadLatest();
      loadPeople();
    }
    everConnected = true;
  });
  socket.on("disconnect", (reason) => {
    if (reason === "io server disconnect" && session) {
      // Told to go (not for a bad token: that comes with an "Unauthorized" error first).
      timers.push(setTimeout(() => socket && !socket.connected && socket.connect(), 1000));
    }
    setConnection("reconnecting");
  });
  socket.on("connect_error", (error) => {
    if (error?.message === "Unauthorized") return endSession(SESSION_EXPIRED);
    setConnection(everConnected ? "reconnecting" : "connecting");
  });
  socket.io.on("reconnect_attempt", () => setConnection("reconnecting"));
  socket.on("error", (payload) => {
    // At connect with a bad token, or when the token expires during the connection.
    if (payload?.code === "UNAUTHORIZED" || payload?.message === "Unauthorized") endSession(SESSION_EXPIRED);
    // Other errors also come as the ack of the request that caused them, and are handled there.
  });
  socket.on("receive_message", onMessage);
}

window.addEventListener("offline", () => session && setConnection("offline"));
window.addEventListener("online", () => session && setConnection(socket?.connected ? "connected" : "reconnecting"));

// --- notices --------------------------------------------------------------------------------

let noticeTimer = 0;

// A short line above the composer (a polite live region), gone after `ms`.
function showNotice(text, ms) {
  clearTimeout(noticeTimer);
  ui.notice.textContent = text;
  ui.notice.hidden = false;
  noticeTimer = setTimeout(hideNotice, ms);
}

function hideNotice() {
  clearTimeout(noticeTimer);
  ui.notice.hidden = true;
  ui.notice.textContent = "";
}

// How long a RATE_LIMITED answer asks to wait (at least a little, at most a minute).
function retryDelay(ack) {
  const ms = Number(ack?.retryAfterMs);
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 50), 60000) : 1000;
}

function inSeconds(ms) {
  const seconds = Math.max(1, Math.round(ms / 1000));
  return seconds === 1 ? "1 second" : `${seconds} seconds`;
}

// --- people ---------------------------------------------------------------------------------

let searchTimer = 0;
let searchSerial = 0;

async function loadPeople() {
  if (!session) return;
  const serial = ++searchSerial;
  const text = ui.search.value.trim();
  try {
    const { status, data } = await api("GET", `/api/users?search=${encodeURIComponent(text)}`);
    if (serial !== searchSerial || !session) return;
    if (status !== 200 || !Array.isArray(data)) {
      ui.peopleStatus.textContent = "Could not load people.";
      return;
    }
    people = data.filter((p) => p.id !== session.user.id);
    for (const p of people) known.set(p.id, p.name);
    ui.peopleStatus.textContent = people.length ? "" : text ? "No one by that name." : "No one else is here yet.";
    renderPeople();
  } catch {
    if (serial === searchSerial) ui.peopleStatus.textContent = "Could not load people.";
  }
}

ui.search.addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(loadPeople, 200);
});

function renderPeople() {
  const focusedId = document.activeElement?.dataset?.personId;
  const shown = [...people];
  // People who wrote while not in the current search still show up, first.
  for (const id of unread) {
    if (!shown.some((p) => p.id === id)) shown.unshift({ id, name: known.get(id) ?? "Someone", online: undefined });
  }
  ui.people.replaceChildren(...shown.map(personItem));
  if (focusedId) ui.people.querySelector(`[data-person-id="${CSS.escape(focusedId)}"]`)?.focus();
  if (peer) {
    const p = people.find((x) => x.id === peer.id);
    ui.peerState.textContent = p ? (p.online ? "online" : "offline") : "";
  }
  updateTitle();
}

function personItem(person) {
  const li = document.createElement("li");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "person";
  button.dataset.personId = person.id;
  if (peer?.id === person.id) button.setAttribute("aria-current", "true");
  const name = document.createElement("span");
  name.className = "name";
  name.textContent = person.name;
  const dot = document.createElement("span");
  dot.className = "presence";
  dot.dataset.online = String(!!person.online);
  dot.setAttribute("aria-hidden", "true");
  const badge = document.createElement("span");
  badge.className = "badge";
  badge.textContent = "new";
  badge.hidden = !unread.has(person.id);
  badge.setAttribute("aria-hidden", "true");
  // The button's name is the person's name; the state is its description.
  const description = document.createElement("span");
  description.className = "visually-hidden";
  description.id = `person-${person.id}`;
  description.textContent = [person.online === undefined ? "" : person.online ? "online" : "offline",
    unread.has(person.id) ? "new messages" : ""].filter(Boolean).join(", ");
  button.setAttribute("aria-describedby", description.id);
  button.append(dot, name, badge);
  button.addEventListener("click", () => openConversation(person));
  li.append(button, description);
  return li;
}

function updateTitle() {
  document.title = unread.size ? `(${unread.size}) Parley` : "Parley";
}

// --- conversation ---------------------------------------------------------------------------

function closeConversation() {
  peer = null;
  hasMore = false;
  ui.list.replaceChildren();
  ui.title.textContent = "Pick someone to talk to";
  ui.peerState.textContent = "";
  ui.historyStatus.textContent = "";
  ui.older.hidden = true;
  ui.log.setAttribute("aria-label", "Conversation");
  ui.input.disabled = ui.send.disabled = true;
  document.body.dataset.pane = "people";
}

function openConversation(person) {
  closeConversation();
  peer = { id: person.id, name: person.name };
  unread.delete(person.id);
  renderPeople();
  ui.title.textContent = person.name;
  ui.log.setAttribute("aria-label", `Conversation with ${person.name}`);
  ui.input.disabled = ui.send.disabled = false;
  document.body.dataset.pane = "conversation";
  ui.input.focus();
  // Messages still waiting for their ack (or failed) go back in, after the history.
  loadLatest().finally(() => {
    if (peer?.id !== person.id) return;
    for (const item of pending.values()) if (item.receiverId === person.id) place(item.li);
  });
}

ui.back.addEventListener("click", () => {
  const id = peer?.id;
  document.body.dataset.pane = "people";
  (id && ui.people.querySelector(`[data-person-id="${CSS.escape(id)}"]`))?.focus();
});

// One get_messages at a time: its messages_list comes just before its ack, on this socket. A
// RATE_LIMITED answer is tried again after the wait it names.
function fetchPage(otherUserId, before) {
  const attempt = (retries) => new Promise((resolve, reject) => {
    if (!socket) return reject(new Error("not connected"));
    let list = [];
    const onList = (messages) => (list = Array.isArray(messages) ? messages : []);
    socket.on("messages_list", onList);
    const request = { otherUserId, limit: PAGE_SIZE, ...(before ? { before } : {}) };
    socket.timeout(ACK_TIMEOUT_MS).emit("get_messages", request, (error, ack) => {
      socket?.off("messages_list", onList);
      if (error) return reject(error);
      if (ack?.code === "RATE_LIMITED" && retries > 0) {
        timers.push(setTimeout(() => attempt(retries - 1).then(resolve, reject), retryDelay(ack)));
        return;
      }
      if (!ack?.success) return reject(new Error(ack?.error || "Could not load messages"));
      resolve({ messages: list, hasMore: !!ack.hasMore });
    });
  });
  const run = () => attempt(HISTORY_RETRIES);
  const result = historyQueue.then(run, run);
  historyQueue = result.catch(() => {});
  return result;
}

// The newest page: on opening, and after a reconnection that could not recover the session.
async function loadLatest() {
  const peerId = peer.id;
  ui.historyStatus.textContent = ui.list.childElementCount ? "" : "Loading…";
  try {
    const page = await fetchPage(peerId);
    if (peer?.id !== peerId) return;
    const newest = lastId();
    const oldestOfPage = page.messages.length ? page.messages[0].id : null;
    // More than a page arrived while away: start over rather than leave a gap.
    if (newest !== null && page.hasMore && oldestOfPage !== null && oldestOfPage > newest) {
      ui.list.querySelectorAll("li[data-id]").forEach((li) => li.remove());
    }
    const first = !ui.list.querySelector("li[data-id]");
    const stick = first || nearBottom();
    merge(page.messages);
    if (first) hasMore = page.hasMore;
    ui.historyStatus.textContent = ui.list.childElementCount ? "" : "No messages yet. Say hello!";
    updateOlder();
    if (stick) scrollToBottom();
  } catch (error) {
    if (peer?.id === peerId) ui.historyStatus.textContent = `Could not load messages (${error.message}).`;
  }
}

async function loadOlder() {
  const oldest = firstId();
  if (!peer || !hasMore || loadingOlder || oldest === null) return;
  const peerId = peer.id;
  loadingOlder = true;
  ui.older.disabled = true;
  try {
    const page = await fetchPage(peerId, oldest);
    if (peer?.id !== peerId) return;
    // Keep what is on screen where it is while older messages go in above.
    const height = ui.log.scrollHeight;
    const top = ui.log.scrollTop;
    merge(page.messages);
    hasMore = page.hasMore;
    ui.log.scrollTop = top + (ui.log.scrollHeight - height);
  } catch (error) {
    if (peer?.id === peerId) ui.historyStatus.textContent = `Could not load older messages (${error.message}).`;
  } finally {
    loadingOlder = false;
    ui.older.disabled = false;
    updateOlder();
  }
}

function updateOlder() {
  ui.older.hidden = !hasMore;
}

ui.older.addEventListener("click", loadOlder);
ui.log.addEventListener("scroll", () => {
  if (ui.log.scrollTop < 60) loadOlder();
});

function onMessage(message) {
  if (!session || !message || typeof message.id !== "number") return;
  const mine = message.senderId === session.user.id;
  const otherId = mine ? message.receiverId : message.senderId;
  known.set(otherId, mine ? message.receiverName : message.senderName);
  if (peer?.id === otherId) {
    const stick = mine || nearBottom();
    merge([message]);
    ui.historyStatus.textContent = "";
    if (stick) scrollToBottom();
    return;
  }
  if (!mine) {
    unread.add(otherId);
    renderPeople();
  }
}

// Puts server messages (ids) in order; one already shown is left alone; one of ours that is
// still pending takes its id instead of being shown twice.
function merge(messages) {
  for (const message of messages) {
    if (typeof message?.id !== "number") continue;
    const shown = ui.list.querySelector(`li[data-id="${message.id}"]`);
    if (shown) {
      // Ours, acknowledged before its receive_message: the server's time replaces the local one.
      if (!shown.querySelector("time").dateTime) setTime(shown, message.createdAt);
      continue;
    }
    const adopted = message.senderId === session?.user.id && adoptPending(message);
    if (adopted) continue;
    place(messageElement(message));
  }
}

function adoptPending(message) {
  let match = null;
  for (const [clientId, item] of pending) {
    if (clientId === message.clientMessageId ||
        (!match && item.receiverId === message.receiverId && item.content === message.content)) {
      match = [clientId, item];
      if (clientId === message.clientMessageId) break;
    }
  }
  if (!match) return false;
  const [clientId, item] = match;
  pending.delete(clientId);
  item.li.dataset.id = String(message.id);
  setTime(item.li, message.createdAt);
  setState(item, "sent");
  if (peer?.id === item.receiverId) place(item.li);
  return true;
}

// In id order; messages without an id yet (sending, failed) stay at the end.
function place(li) {
  const id = li.dataset.id ? Number(li.dataset.id) : null;
  if (id !== null) {
    for (const other of ui.list.children) {
      if (other !== li && (!other.dataset.id || Number(other.dataset.id) > id)) {
        ui.list.insertBefore(li, other);
        return;
      }
    }
  }
  ui.list.append(li);
}

function messageElement(message, mine = message.senderId === session?.user.id) {
  const li = document.createElement("li");
  li.className = `message ${mine ? "mine" : "theirs"}`;
  if (typeof message.id === "number") li.dataset.id = String(message.id);
  const author = document.createElement("span");
  author.className = "visually-hidden";
  author.textContent = mine ? "You: " : `${message.senderName ?? peer?.name ?? ""}: `;
  const text = document.createElement("p");
  text.className = "text";
  text.textContent = message.content;
  const meta = document.createElement("p");
  meta.className = "meta";
  const time = document.createElement("time");
  const state = document.createElement("span");
  state.className = "state";
  meta.append(time, state);
  li.append(author, text, meta);
  setTime(li, message.createdAt);
  return li;
}

const timeOnly = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dateAndTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

function setTime(li, iso) {
  const time = li.querySelector("time");
  const date = iso ? new Date(iso) : new Date();
  if (Number.isNaN(date.getTime())) return;
  if (iso) time.dateTime = iso;
  const today = new Date().toDateString() === date.toDateString();
  time.textContent = (today ? timeOnly : dateAndTime).format(date);
  time.title = date.toLocaleString();
}

function firstId() {
  const li = ui.list.querySelector("li[data-id]");
  return li ? Number(li.dataset.id) : null;
}

function lastId() {
  const all = ui.list.querySelectorAll("li[data-id]");
  return all.length ? Number(all[all.length - 1].dataset.id) : null;
}

function nearBottom() {
  return ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 80;
}

function scrollToBottom() {
  ui.log.scrollTop = ui.log.scrollHeight;
}

// --- sending --------------------------------------------------------------------------------

// A random UUID also where crypto.randomUUID is missing (plain http on a LAN address).
function newId() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function setState(item, state, reason = "") {
  item.state = state;
  item.li.dataset.state = state;
  const holder = item.li.querySelector(".state");
  holder.replaceChildren();
  if (state === "sending") holder.textContent = "sending…";
  if (state === "failed") {
    const label = document.createElement("span");
    label.textContent = reason ? `failed: ${reason}` : "failed";
    const retry = document.createElement("button");
    retry.type = "button";
    retry.className = "retry secondary";
    retry.textContent = "Retry";
    retry.addEventListener("click", () => {
      ui.input.focus();
      emitSend(item);
    });
    holder.append(label, " ", retry);
  }
}

function emitSend(item) {
  setState(item, "sending");
  if (!socket) return setState(item, "failed", "not connected");
  // The same clientMessageId on a retry: a server that deduplicates by it stores it once.
  const payload = { receiverId: item.receiverId, content: item.content, clientMessageId: item.clientId };
  socket.timeout(ACK_TIMEOUT_MS).emit("send_message", payload, (error, ack) => {
    if (item.state === "sent") return;  // its receive_message came first
    if (error) return setState(item, "failed", "no answer from the server");
    if (ack?.code === "RATE_LIMITED") {
      // Too fast: say so, and send it again (same clientMessageId) once the server allows.
      const wait = retryDelay(ack);
      showNotice(`You are sending messages too fast. Trying again in ${inSeconds(wait)}.`, wait + 2000);
      timers.push(setTimeout(() => {
        if (session && pending.get(item.clientId) === item && item.state === "sending") emitSend(item);
      }, wait));
      return;
    }
    if (ack?.success) {
      pending.delete(item.clientId);
      if (!item.li.dataset.id && typeof ack.messageId === "number") {
        // Not shown yet: its receive_message, had it come first, would have taken this element.
        item.li.dataset.id = String(ack.messageId);
        if (item.li.isConnected) place(item.li);
      }
      setState(item, "sent");
    } else {
      setState(item, "failed", ack?.error || "not sent");
    }
  });
}

function sendMessage() {
  const content = ui.input.value;
  if (!peer || !content.trim()) return;
  ui.input.value = "";
  autosize();
  const clientId = newId();
  const li = messageElement({ content, senderId: session.user.id }, true);
  const item = { clientId, li, receiverId: peer.id, content, state: "sending" };
  pending.set(clientId, item);
  ui.historyStatus.textContent = "";
  place(li);
  scrollToBottom();
  emitSend(item);
}

ui.composer.addEventListener("submit", (event) => {
  event.preventDefault();
  sendMessage();
  ui.input.focus();
});

ui.input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    sendMessage();
  }
});

function autosize() {
  ui.input.style.height = "auto";
  ui.input.style.height = `${Math.min(ui.input.scrollHeight, 160)}px`;
}
ui.input.addEventListener("input", autosize);

// --- start ----------------------------------------------------------------------------------

const saved = storedSession();
if (saved) startSession(saved, { restored: true });
else showLogin();
