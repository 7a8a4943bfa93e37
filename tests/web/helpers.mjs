// Shared by the web client's browser tests: starts the real `parley` (PARLEY_BIN) serving the
// built client (PARLEY_WEB_DIR) on 127.0.0.1 with a SQLite file of its own, launches Debian's
// Chromium through playwright-core, and signs people up through the page itself.
//
// playwright-core has no assertion library: the tests wait with its auto-waiting locators
// (`waitFor`) and page.waitForFunction, each bounded by the context's default timeout.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "../..");

if (!existsSync(resolve(here, "node_modules", "playwright-core", "package.json"))) {
  throw new Error(`playwright-core is not installed: run \`npm ci\` in tests/web (${here}) first`);
}
const { chromium } = await import("playwright-core");

export const parleyBin = process.env.PARLEY_BIN ?? resolve(repoRoot, "build/parley");
export const webDir = process.env.PARLEY_WEB_DIR ?? resolve(repoRoot, "build/web");
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SECRET = "parley-web-test-secret-0123456789abcdef012345";

// What this machine's Chromium needs (see the machine notes): no sandbox as root, no GPU, and
// none of the background traffic that a closed network refuses.
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

const PARLEY_ENV = [
  "HOST", "PORT", "DATABASE_URL", "JWT_SECRET", "JWT_EXPIRES_IN", "CORS_ORIGIN", "MAX_MESSAGE_LENGTH",
  "LOG_LEVEL", "AUTO_CREATE_USERS", "REJECT_WITH_CONNECT_ERROR", "SQLITE_SYNCHRONOUS", "PARLEY_THREADS",
  "PARLEY_STATIC_DIR", "PARLEY_CONFIG", "COMMIT_DELAY_US", "HANDSHAKE_RATE", "TRUSTED_PROXIES", "HISTORY_PAGE_SIZE",
  "SEND_RATE_PER_USER", "SEND_RATE_PER_ADDRESS", "HISTORY_RATE_PER_USER", "HISTORY_RATE_PER_ADDRESS",
];

// A database directory for one or more servers in turn (a restart keeps it).
export function freshDatabase() {
  const dir = mkdtempSync(join(tmpdir(), "parley-web-"));
  return { url: `sqlite:${join(dir, "parley.db")}`, dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

// Starts parley; resolves once it logged the port it listens on. `port` 0 picks a free one;
// `args` are more of parley's flags.
export async function startParley({ database, port = 0, args = [] } = {}) {
  for (const [what, path] of [["PARLEY_BIN", parleyBin], ["PARLEY_WEB_DIR", `${webDir}/index.html`]]) {
    if (!existsSync(path)) throw new Error(`${path} not found: build the parley target, or set ${what}`);
  }
  const env = { ...process.env };
  for (const key of PARLEY_ENV) delete env[key];
  Object.assign(env, { JWT_SECRET: SECRET, LOG_LEVEL: "info", SQLITE_SYNCHRONOUS: "NORMAL" });
  const child = spawn(
    parleyBin,
    ["--port", String(port), "--host", "127.0.0.1", "--database-url", database.url, "--static-dir", webDir, ...args],
    { cwd: database.dir, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  const log = [];
  const keep = (line) => log.push(line) > 200 && log.shift();
  createInterface({ input: child.stderr }).on("line", keep);
  const exited = new Promise((done) => child.once("exit", (code, signal) => done({ code, signal })));
  const listening = await new Promise((done, fail) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      keep(line);
      const match = /parley listening on http:\/\/[^\s]*:(\d+)/.exec(line);
      if (match) done(Number(match[1]));
    });
    child.once("error", fail);
    exited.then(({ code, signal }) =>
      fail(new Error(`parley exited before listening (code ${code}, signal ${signal}):\n${log.join("\n")}`)));
  });
  return {
    port: listening,
    url: `http://127.0.0.1:${listening}`,
    log,
    // SIGTERM and the exit that follows (a graceful stop exits 0).
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const { code, signal } = await exited;
      assert.equal(code, 0, `parley ended badly (code ${code}, signal ${signal}):\n${log.join("\n")}`);
    },
  };
}

// One Chromium for a test file: launched before its tests, closed after them. Returns a getter
// (the browser exists once the `before` hook has run).
export function browserPerFile() {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  return () => browser;
}

export async function launchBrowser() {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS });
}

// One person's browser: a context of its own (its own localStorage, so its own login), and a
// record of what its pages did that a test may want to rule out.
export async function newPerson(browser, { viewport = { width: 1024, height: 640 } } = {}) {
  const context = await browser.newContext({ viewport, locale: "en-GB", timezoneId: "Europe/Paris" });
  context.setDefaultTimeout(15000);
  const person = { context, dialogs: [], problems: [] };
  person.watch = (page) => {
    page.on("dialog", (dialog) => {
      person.dialogs.push(dialog.message());
      dialog.dismiss().catch(() => {});
    });
    page.on("pageerror", (error) => person.problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error" && /Content Security Policy|Refused to/i.test(message.text())) {
        person.problems.push(`console: ${message.text()}`);
      }
    });
    return page;
  };
  person.newPage = async () => person.watch(await context.newPage());
  return person;
}

let counter = 0;
// A valid username (3-32 of [a-z0-9_.-]) unique to this run.
export function uniqueUsername(label) {
  return `${label}_${randomBytes(3).toString("hex")}${(counter++).toString(36)}`;
}

export const PASSWORD = "correct horse battery";

// Fills the login form and presses `button` ("Log in" or "Sign up").
export async function submitLogin(page, username, password, button) {
  await page.getByLabel("Username", { exact: true }).fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: button, exact: true }).click();
}

// Opens parley in a new page of `person` and signs up as `username`; resolves with the page
// once the chat is shown and connected.
export async function signUp(person, server, username) {
  const page = await person.newPage();
  await page.goto(server.url);
  await submitLogin(page, username, PASSWORD, "Sign up");
  await page.getByRole("button", { name: "Log out", exact: true }).waitFor();
  await connectedState(page);
  return page;
}

export async function connectedState(page) {
  await page.getByRole("status").filter({ hasText: /^Connected$/ }).waitFor();
}

// Finds `name` through the search box and opens the conversation with them.
export async function openConversation(page, name) {
  await page.getByLabel("Find people", { exact: true }).fill(name);
  await personButton(page, name).click();
  await page.getByRole("heading", { name, exact: true }).waitFor();
}

// Types `text` into the message box and sends it with Enter (or the Send button).
export async function send(page, text, { withButton = false } = {}) {
  await page.getByLabel("Message", { exact: true }).fill(text);
  if (withButton) await page.getByRole("button", { name: "Send", exact: true }).click();
  else await page.getByLabel("Message", { exact: true }).press("Enter");
}

// The message of `text` in the open conversation's log, once it is there.
export async function message(page, text) {
  const item = page.getByRole("log").locator("li.message").filter({ has: page.getByText(text, { exact: true }) });
  await item.waitFor();
  return item;
}

// Waits until the message of `text` (our own) is stored: its state is Sent, Delivered or Read.
export async function sent(page, text) {
  const item = await message(page, text);
  await page.getByRole("log").locator("li.message.mine").filter({ hasText: text })
    .getByRole("img", { name: /^(Sent|Delivered|Read)$/ }).waitFor();
  return item;
}

// The conversation list's entry whose accessible name matches `name` (a RegExp or a string
// it contains).
export function conversationEntry(page, name) {
  return page.getByRole("list", { name: "Conversations", exact: true }).getByRole("button", { name });
}

// Makes a group through the New group dialog, with the people of `memberNames`, and waits
// until it is open.
export async function createGroup(page, title, memberNames) {
  await page.getByRole("button", { name: "New group", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "New group" });
  await dialog.getByLabel("Group name", { exact: true }).fill(title);
  for (const name of memberNames) await dialog.getByRole("checkbox", { name, exact: true }).check();
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await dialog.waitFor({ state: "hidden" });
  await page.getByRole("heading", { name: title, exact: true }).waitFor();
}

// Opens the conversation list's entry named `name` (the search box emptied first).
export async function openEntry(page, name) {
  await page.getByLabel("Find people", { exact: true }).fill("");
  await conversationEntry(page, name).first().click();
  await page.getByRole("heading", { name, exact: true }).waitFor();
}

// The state (Sent, Delivered, Read) of our own message of `text`, once it has one.
export async function stateOf(page, text) {
  const state = page.getByRole("log").locator("li.message.mine").filter({ hasText: text })
    .getByRole("img", { name: /^(Sent|Delivered|Read)$/ });
  await state.waitFor();
  return state.getAttribute("aria-label");
}

// Where the tests save their picture of a conversation: PARLEY_SCREENSHOT (CTest names one in
// the build folder), so that a test run leaves the committed docs/screenshot.png alone. With
// UPDATE_SCREENSHOT=1 they refresh that one instead (a deliberate change, to be committed).
export function screenshotPath() {
  const path = process.env.UPDATE_SCREENSHOT === "1"
    ? resolve(repoRoot, "docs/screenshot.png")
    : process.env.PARLEY_SCREENSHOT ?? join(tmpdir(), "parley-web-screenshot.png");
  mkdirSync(dirname(path), { recursive: true });
  return path;
}

// The side pane's list of people found, and one of them by name ("Ann", or "Ann, online").
export function personButton(page, name) {
  const named = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(, online)?$`);
  return page.getByRole("list", { name: "People", exact: true }).getByRole("button", { name: named });
}

// The open conversation (the region its heading names).
export function conversationRegion(page, title) {
  return page.getByRole("region", { name: title, exact: true });
}

// Edits the message `item` (of the open conversation) to `text` and confirms with `key`.
export async function editMessage(page, item, text, key = "Enter") {
  await item.getByRole("button", { name: "Edit", exact: true }).click();
  const box = page.getByRole("textbox", { name: "Edit message", exact: true });
  await box.fill(text);
  await box.press(key);
}

// Deletes the message `item`, confirming in the dialog.
export async function deleteMessage(page, item) {
  await item.getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("dialog", { name: "Delete this message?" }).getByRole("button", { name: "Delete", exact: true }).click();
}
