// Parley's web client: accounts over the REST API, the chat over Socket.IO (api.md's
// conversation events). Plain JavaScript modules (js/), no build step. User text only ever
// reaches the page as text nodes, never as HTML.
import { Chat } from "./js/chat.js";
import { SESSION_KEY, api, forgetSession, saveSession, storedSession, tokenExpiry } from "./js/session.js";

const SESSION_EXPIRED = "Your session has expired. Please log in again.";
const $ = (id) => document.getElementById(id);
const ui = {
  loginView: $("login-view"), loginForm: $("login-form"), username: $("username"), password: $("password"),
  loginError: $("login-error"), chatView: $("chat-view"), me: $("me"), logout: $("logout"),
};

let session = null; // {token, user: {id, name, username}}
let chat = null;
let expiryTimer = 0;

function showLogin(message = "") {
  document.body.dataset.view = "login";
  ui.chatView.hidden = true;
  ui.loginView.hidden = false;
  ui.loginError.textContent = message;
  ui.username.focus();
}

function startSession(value, { restored = false } = {}) {
  session = value;
  saveSession(value);
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
    if (left < 2 ** 31 - 5000) expiryTimer = setTimeout(() => endSession(SESSION_EXPIRED), left + 5000);
  }
  chat = new Chat(value, { onUnauthorized: () => endSession(SESSION_EXPIRED) });
  if (restored) {
    // The stored name may be stale, and the token revoked by a new secret: ask once.
    api("GET", "/api/users/me", { token: value.token }).then(({ status, data }) => {
      if (session !== value) return;
      if (status === 401) return endSession(SESSION_EXPIRED);
      if (status === 200 && data) {
        session.user = { ...session.user, ...data };
        ui.me.textContent = session.user.name;
      }
    }, () => {});
  }
}

// Back to the login form; `message` says why (expiry), or nothing after Log out.
function endSession(message = "") {
  if (!session) return;
  session = null;
  forgetSession();
  clearTimeout(expiryTimer);
  chat?.end();
  chat = null;
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
    const { status, data } = await api("POST", register ? "/api/auth/register" : "/api/auth/login", { body: { username, password } });
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

const saved = storedSession();
if (saved) startSession(saved, { restored: true });
else showLogin();
