// Shared by parley's end-to-end tests: starts the real `parley` binary on a free port with a
// database of its own, mints JWTs, creates users (over REST or from token claims), and drives
// the official socket.io-client with failure bounds on every wait.
//
// PARLEY_BIN names the binary (CTest passes it). PARLEY_TEST_DATABASE_URL, when set, points
// every server at that database (a shared PostgreSQL, say) instead of a fresh SQLite file; user
// names, usernames and ids are therefore unique per test run, and no test counts rows it did
// not create.
//
// socket.io-client is loaded after checking that `npm ci` was run, so that a missing
// node_modules fails every test with that instruction rather than a module-resolution error.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

if (!existsSync(resolve(here, "node_modules", "socket.io-client", "package.json"))) {
  throw new Error(`socket.io-client is not installed: run \`npm ci\` in tests/parley (${here}) first`);
}
export const { io } = await import("socket.io-client");

export const parleyBin = process.env.PARLEY_BIN ?? resolve(here, "../../build/parley");
// CTest's PostgreSQL fixture writes its URL to a file (PARLEY_TEST_DATABASE_URL_FILE).
export const sharedDatabaseUrl =
  process.env.PARLEY_TEST_DATABASE_URL ||
  (process.env.PARLEY_TEST_DATABASE_URL_FILE
    ? readFileSync(process.env.PARLEY_TEST_DATABASE_URL_FILE, "utf8").trim()
    : undefined);

// Known to every server the tests start, so that the tests can mint tokens for it.
export const SECRET = "parley-e2e-secret-0123456789abcdef0123456789";

// Unique per process (each test file runs in its own): keeps names apart on a shared database.
export const runId = randomBytes(4).toString("hex");

// The seed's timestamp form: ISO-8601 UTC with milliseconds.
export const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

// Parley's settings that the environment could otherwise slip into a test's server.
const PARLEY_ENV = [
  "HOST", "PORT", "DATABASE_URL", "JWT_SECRET", "JWT_EXPIRES_IN", "CORS_ORIGIN", "MAX_MESSAGE_LENGTH",
  "LOG_LEVEL", "AUTO_CREATE_USERS", "REJECT_WITH_CONNECT_ERROR", "SQLITE_SYNCHRONOUS", "PARLEY_THREADS",
  "PARLEY_STATIC_DIR", "PARLEY_CONFIG", "COMMIT_DELAY_US", "HANDSHAKE_RATE", "TRUSTED_PROXIES",
  "ALLOW_TOKENS_WITHOUT_EXP", "API_RATE", "REGISTER_RATE",
  "LOGIN_FAILURES_PER_ADDRESS", "LOGIN_FAILURES_PER_ACCOUNT", "LOGIN_FAILURES_PER_USERNAME",
  "MAX_BUFFERED_BYTES", "MAX_CONNECTIONS_PER_ADDRESS", "HEADER_TIMEOUT",
  "HISTORY_PAGE_SIZE", "SEND_RATE_PER_USER", "SEND_RATE_PER_ADDRESS", "HISTORY_RATE_PER_USER", "HISTORY_RATE_PER_ADDRESS",
];

// A database for one or more servers in turn: the shared one when configured, else a fresh
// SQLite file in a temporary directory (removed by `remove`).
export function freshDatabase() {
  if (sharedDatabaseUrl) return { url: sharedDatabaseUrl, dir: undefined, remove() {} };
  const dir = mkdtempSync(join(tmpdir(), "parley-e2e-"));
  return {
    url: `sqlite:${join(dir, "parley.db")}`,
    dir,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

// Servers still running when the test process ends (a test failed before stopping its
// server) are killed with it.
const running = new Set();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

// Starts parley on 127.0.0.1, port 0; resolves once it logged the port it listens on.
// `database`: from freshDatabase(), to share one between servers (a restart); by default the
// server gets its own, removed when the server is stopped.
export async function startParley({ args = [], database, env = {} } = {}) {
  if (!existsSync(parleyBin)) {
    throw new Error(`${parleyBin} not found: build the parley target, or set PARLEY_BIN`);
  }
  const ownDatabase = !database;
  database ??= freshDatabase();
  const childEnv = { ...process.env };
  for (const key of PARLEY_ENV) delete childEnv[key];
  Object.assign(childEnv, { JWT_SECRET: SECRET, LOG_LEVEL: "info" }, env);
  const child = spawn(
    parleyBin,
    ["--port", "0", "--host", "127.0.0.1", "--database-url", database.url, ...args],
    { cwd: database.dir ?? tmpdir(), env: childEnv, stdio: ["ignore", "pipe", "pipe"] },
  );
  // The last lines of output, shown when the server fails.
  const log = [];
  const keep = (line) => {
    log.push(line);
    if (log.length > 200) log.shift();
  };
  createInterface({ input: child.stderr }).on("line", keep);
  running.add(child);
  const exited = new Promise((done) => child.once("exit", (code, signal) => done({ code, signal })));
  exited.then(() => running.delete(child));
  const port = await withTimeout(new Promise((done, fail) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      keep(line);
      const match = /parley listening on http:\/\/[^\s]*:(\d+)/.exec(line);
      if (match) done(Number(match[1]));
    });
    child.once("error", fail);
    exited.then(({ code, signal }) =>
      fail(new Error(`parley exited before listening (code ${code}, signal ${signal}):\n${log.join("\n")}`)));
  }), 15000, "parley did not say it was listening within 15 s");
  let cleaned = false;
  const cleanup = () => {
    if (cleaned) return;
    cleaned = true;
    if (ownDatabase) database.remove();
  };
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    database,
    child,
    exited,
    log,
    // SIGTERM, and the exit that follows; a graceful stop exits 0.
    async stop() {
      if (!child.killed && child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const result = await withTimeout(exited, 10000, "parley did not exit within 10 s of SIGTERM");
      cleanup();
      if (result.code !== 0) {
        throw new Error(`parley ended badly (code ${result.code}, signal ${result.signal}):\n${log.join("\n")}`);
      }
      return result;
    },
  };
}

export function withTimeout(promise, ms, message) {
  let timer;
  const bound = new Promise((_, fail) => {
    timer = setTimeout(() => fail(new Error(message)), ms);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

// --- tokens -------------------------------------------------------------------------------

const b64url = (data) => Buffer.from(data).toString("base64url");

// A compact JWS. `alg` picks the HMAC (HS256, HS384, HS512) or "none" (no signature);
// `secret` defaults to the servers' secret.
export function mintToken(claims, { secret = SECRET, alg = "HS256", header = {} } = {}) {
  const head = b64url(JSON.stringify({ alg, typ: "JWT", ...header }));
  const body = b64url(JSON.stringify(claims));
  const input = `${head}.${body}`;
  if (alg === "none") return `${input}.`;
  const hash = { HS256: "sha256", HS384: "sha384", HS512: "sha512" }[alg];
  return `${input}.${createHmac(hash, secret).update(input).digest("base64url")}`;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

// A user known only from its token's claims (parley creates it on first connection).
// Each call gives a new random UUID and a run-unique name.
export function tokenUser(label = "user", extraClaims = {}) {
  const id = randomUUID();
  const name = `${label} ${runId}-${id.slice(0, 6)}`;
  const token = mintToken({ sub: id, name, iat: nowSeconds(), exp: nowSeconds() + 3600, ...extraClaims });
  return { id, name, token };
}

// --- REST ---------------------------------------------------------------------------------

// `fetch` with a JSON body; resolves with {status, body (parsed JSON or null), headers}.
export async function http(server, method, path, { body, token, headers = {} } = {}) {
  const response = await fetch(server.url + path, {
    method,
    headers: {
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(10000),
  });
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

let usernameCounter = 0;
// A username valid for parley (3-32 of [a-z0-9_.-]) and unique per run.
export function uniqueUsername(label = "u") {
  return `${label.slice(0, 12)}_${runId}_${(usernameCounter++).toString(36)}${randomBytes(2).toString("hex")}`;
}

// Registers a user over REST; resolves with {id, name, username, password, token}.
export async function registerUser(server, { label = "u", name, password = "correct horse battery" } = {}) {
  const username = uniqueUsername(label);
  const displayName = name ?? `${label} ${runId}-${username.slice(-6)}`;
  const response = await http(server, "POST", "/api/auth/register", {
    body: { username, password, name: displayName },
  });
  if (response.status !== 201) {
    throw new Error(`register ${username}: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return { ...response.body.user, password, token: response.body.token };
}

// --- sockets ------------------------------------------------------------------------------

// Resolves with the arguments of the next `event`; rejects after `ms` (a failure bound).
export function waitFor(emitter, event, ms = 5000) {
  return new Promise((done, fail) => {
    const listener = (...args) => {
      clearTimeout(timer);
      done(args);
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      fail(new Error(`no "${event}" within ${ms} ms`));
    }, ms);
    emitter.once(event, listener);
  });
}

// Resolves with the first `event` whose arguments satisfy `predicate`.
export function waitForMatching(emitter, event, predicate, ms = 5000) {
  return new Promise((done, fail) => {
    const listener = (...args) => {
      if (!predicate(...args)) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      done(args);
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      fail(new Error(`no matching "${event}" within ${ms} ms`));
    }, ms);
    emitter.on(event, listener);
  });
}

// Records the first argument of every `event` from now on (for "exactly once" and "nothing
// else" checks, made once a later event on the same connection proved the earlier ones in).
export function record(emitter, event) {
  const seen = [];
  const listener = (arg) => seen.push(arg);
  emitter.on(event, listener);
  return { seen, stop: () => emitter.off(event, listener) };
}

// Resolves when `socket` connects; rejects on connect_error or after `ms`.
export function connected(socket, ms = 5000) {
  return new Promise((done, fail) => {
    const finish = (error) => {
      clearTimeout(timer);
      socket.off("connect", onConnect);
      socket.off("connect_error", onError);
      if (error) fail(error);
      else done(socket);
    };
    const onConnect = () => finish();
    const onError = (err) => finish(new Error(`connect_error: ${err.message}`));
    const timer = setTimeout(() => finish(new Error(`no connection within ${ms} ms`)), ms);
    socket.once("connect", onConnect);
    socket.once("connect_error", onError);
  });
}

// Sockets of one test file or suite, all closed by closeAll(). No automatic reconnection: a
// disconnect is something the tests look at.
export class Clients {
  #sockets = [];

  constructor(server) {
    this.server = server;
  }

  // A socket with the token in the CONNECT auth object (or none: `token` undefined).
  socket(token, options = {}) {
    const socket = io(this.server.url, {
      reconnection: false,
      forceNew: true,
      ...(token !== undefined ? { auth: { token } } : {}),
      ...options,
    });
    this.#sockets.push(socket);
    return socket;
  }

  // A socket once connected (for a valid token; for a bad one, see the auth tests).
  async connect(token, options = {}) {
    const socket = this.socket(token, options);
    await connected(socket);
    return socket;
  }

  closeAll() {
    for (const socket of this.#sockets) socket.disconnect();
    this.#sockets = [];
  }
}

// Emits `event` with `args` and an acknowledgement; resolves with the ack's first argument.
export function ack(socket, event, ...args) {
  return socket.timeout(5000).emitWithAck(event, ...args);
}

// Sends a message and waits for its ack; throws unless it succeeded. Resolves with the ack.
export async function send(socket, receiverId, content) {
  const reply = await ack(socket, "send_message", { receiverId, content });
  if (!reply || reply.success !== true) throw new Error(`send_message failed: ${JSON.stringify(reply)}`);
  return reply;
}

// get_messages with an ack: resolves with {list (the messages_list payload), reply (the ack)}.
export async function history(socket, payload) {
  const list = waitFor(socket, "messages_list");
  const reply = await ack(socket, "get_messages", payload);
  if (!reply || reply.success !== true) throw new Error(`get_messages failed: ${JSON.stringify(reply)}`);
  const [messages] = await list;
  return { list: messages, reply };
}

// The code docs/api.md gives each of the chat's failure messages.
export function codeOf(message) {
  if (message.startsWith("Message content too long")) return "TOO_LARGE";
  if (message.startsWith("Invalid ") || message === "Message content cannot be empty") return "INVALID_ARGUMENT";
  const codes = {
    "clientMessageId was already used for another message": "CONFLICT",
    "Sender not found": "NOT_FOUND",
    "Receiver not found": "NOT_FOUND",
    Unauthorized: "UNAUTHORIZED",
    "Too many requests": "RATE_LIMITED",
    "Failed to send message": "UNAVAILABLE",
    "Failed to load messages": "UNAVAILABLE",
  };
  if (!(message in codes)) throw new Error(`no code known for "${message}"`);
  return codes[message];
}

// The whole conversation, oldest first, paged back from the newest with the largest `limit`
// (get_messages answers one page of 100 when asked for "everything").
export async function wholeHistory(socket, payload) {
  const pages = [];
  let before;
  for (;;) {
    const { list, reply } = await history(socket, { ...payload, limit: 200, ...(before ? { before } : {}) });
    pages.unshift(list);
    if (!reply.hasMore || list.length === 0) return pages.flat();
    before = list[0].seq ?? list[0].id;  // a seq (docs/api.md); the id for servers without seqs
  }
}

// Emits `event` with `args` expecting the failure `message`, reported both ways: the ack
// {success: false, error, code} and the `error` event {message, code, event}.
export async function expectFailure(socket, event, args, message, code = codeOf(message)) {
  const errorEvent = waitFor(socket, "error");
  const reply = await ack(socket, event, ...args);
  assert.deepEqual(reply, { success: false, error: message, code }, `ack of ${event} ${describe(args)}`);
  const [payload] = await errorEvent;
  assert.deepEqual(payload, { message, code, event }, `error event after ${event} ${describe(args)}`);
}

function describe(args) {
  const text = JSON.stringify(args) ?? String(args);
  return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}

// The seed's view of a message or send ack: without the fields that issue 12 added
// (conversationId, seq, kind, system, attachments, reactions), so that the seed's exact shapes
// can still be asserted as they were.
export function seedFields(object) {
  const { conversationId, seq, kind, system, attachments, reactions, ...seed } = object;
  return seed;
}

// An event that must succeed: resolves with its ack.
export async function ok(socket, event, payload) {
  const reply = await ack(socket, event, payload);
  assert.equal(reply?.success, true, `${event} ${JSON.stringify(payload)}: ${JSON.stringify(reply)}`);
  return reply;
}

// An event that must fail with `code` (and `message`, when given), by ack and `error` event.
export async function refused(socket, event, payload, code, message) {
  const error = waitFor(socket, "error");
  const reply = await ack(socket, event, payload);
  if (message) assert.equal(reply.error, message);
  assert.equal(reply.success, false, `${event} ${JSON.stringify(payload)} succeeded`);
  assert.equal(reply.code, code, `${event} ${JSON.stringify(payload)}: ${JSON.stringify(reply)}`);
  const [event_] = await error;
  assert.equal(event_.code, code);
  assert.equal(event_.event, event);
}

// Users connected through `clients` (so that they exist), each with one socket.
export async function peopleOf(clients, ...labels) {
  const users = labels.map((label) => tokenUser(label));
  const sockets = await Promise.all(users.map((u) => clients.connect(u.token)));
  return users.map((u, i) => ({ ...u, socket: sockets[i] }));
}

// A group of `owner` and `others` (people): its conversation, as the owner's ack gave it.
export async function group(owner, others, title = "Team") {
  const { conversation } = await ok(owner.socket, "create_conversation", { title, memberIds: others.map((o) => o.id) });
  return conversation;
}
