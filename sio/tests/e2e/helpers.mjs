// Shared by the end-to-end tests: starts `sio-e2e-server` on a free port and stops it, waits
// for client events with a failure bound, and hands out the official clients.
//
// The clients are loaded here, after checking that `npm ci` was run, so that a missing
// node_modules fails every test with that instruction rather than a module-resolution error.
//
// Run: `npm ci && node --test` in sio/tests/e2e (or `ctest -R e2e` from the build), with
// SIO_E2E_SERVER naming the server binary when it is not ../../../build/sio/tests/e2e/sio-e2e-server.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

for (const name of ["socket.io-client", "engine.io-client"]) {
  if (!existsSync(resolve(here, "node_modules", name, "package.json"))) {
    throw new Error(`${name} is not installed: run \`npm ci\` in sio/tests/e2e (${here}) first`);
  }
}

export const { io } = await import("socket.io-client");
export const { Socket: EngineSocket } = await import("engine.io-client");
// The WebSocket client engine.io-client itself uses: for tests that need the frames in hand.
export const { default: WebSocket } = await import("ws");

export const serverPath = process.env.SIO_E2E_SERVER ?? resolve(here, "../../../build/sio/tests/e2e/sio-e2e-server");

// Starts the server on port 0; resolves once it printed the port it listens on. `fileLimit`
// runs it under `ulimit -n` that many descriptors. What it writes to stderr goes on to ours and
// is kept in `stderr` (the lines so far), for tests of what it reports.
export async function startServer(extraArgs = [], { fileLimit } = {}) {
  if (!existsSync(serverPath)) {
    throw new Error(`${serverPath} not found: build the sio-e2e-server target, or set SIO_E2E_SERVER`);
  }
  const args = ["--port", "0", ...extraArgs];
  const child =
    fileLimit === undefined
      ? spawn(serverPath, args, { stdio: ["ignore", "pipe", "pipe"] })
      : spawn("/bin/sh", ["-c", `ulimit -n ${Number(fileLimit)} && exec "$0" "$@"`, serverPath, ...args], {
          stdio: ["ignore", "pipe", "pipe"],
        });
  const stderr = [];
  createInterface({ input: child.stderr }).on("line", (line) => {
    stderr.push(line);
    process.stderr.write(line + "\n");
  });
  const exited = new Promise((done) => child.once("exit", (code, signal) => done({ code, signal })));
  const port = await new Promise((done, fail) => {
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      const match = /^listening on (\d+)$/.exec(line);
      if (match) done(Number(match[1]));
    });
    child.once("error", fail);
    exited.then(({ code, signal }) => fail(new Error(`sio-e2e-server exited (code ${code}, signal ${signal})`)));
  });
  return {
    port,
    pid: child.pid,
    url: `http://127.0.0.1:${port}`,
    stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const { code, signal } = await exited;
      if (code !== 0) throw new Error(`sio-e2e-server ended badly (code ${code}, signal ${signal})`);
    },
  };
}

// Resolves with the arguments of the next `event` on a socket.io-client / engine.io-client
// emitter; rejects after `ms` (a failure bound, not a wait).
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

// Records every `event` from now on: for "this never arrived" checks, made once a later
// message on the same connection proved that anything sent before it has arrived.
export function record(emitter, event) {
  const seen = [];
  const listener = (...args) => seen.push(args);
  emitter.on(event, listener);
  return { seen };
}

// Resolves when `socket` connects; rejects on connect_error or after `ms`.
export function connected(socket, ms = 5000) {
  return new Promise((done, fail) => {
    const finish = (error) => {
      clearTimeout(timer);
      socket.off("connect", onConnect);
      socket.off("connect_error", onError);
      if (error) fail(error);
      else done();
    };
    const onConnect = () => finish();
    const onError = (err) => finish(new Error(`connect_error on ${socket.nsp}: ${err.message}`));
    const timer = setTimeout(() => finish(new Error(`no connection to ${socket.nsp} within ${ms} ms`)), ms);
    socket.once("connect", onConnect);
    socket.once("connect_error", onError);
  });
}

// A connected socket.io-client socket (no automatic reconnection unless asked); closed by
// `closeAll` at the end of the test.
export class Clients {
  #sockets = [];

  constructor(server) {
    this.server = server;
  }

  socket(nsp = "/", options = {}) {
    const socket = io(this.server.url + nsp, { reconnection: false, forceNew: true, ...options });
    this.#sockets.push(socket);
    return socket;
  }

  async connect(nsp = "/", options = {}) {
    const socket = this.socket(nsp, options);
    await connected(socket);
    return socket;
  }

  closeAll() {
    for (const socket of this.#sockets) socket.disconnect();
    this.#sockets = [];
  }
}

// Emits `event` with an acknowledgement; resolves with all the acknowledgement's arguments.
export function ack(socket, event, ...args) {
  return new Promise((done, fail) => {
    socket.timeout(5000).emit(event, ...args, (err, ...reply) => (err ? fail(err) : done(reply)));
  });
}

// The reason the server saw when the socket `id` left (waits until it has left).
export function serverDisconnectReason(observer, id, ms = 5000) {
  return observer.timeout(ms).emitWithAck("disconnect-reason", id);
}

// The next text message on a raw `ws` WebSocket that starts with `prefix`.
export function nextMessage(ws, prefix, ms = 5000) {
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no message starting with ${prefix} within ${ms} ms`)), ms);
    const listener = (data) => {
      const text = data.toString();
      if (!text.startsWith(prefix)) return;
      clearTimeout(timer);
      ws.off("message", listener);
      done(text);
    };
    ws.on("message", listener);
  });
}

// A Socket.IO connection to the main namespace made by hand over a raw WebSocket (which answers
// no pings); resolves with the WebSocket and the Socket.IO socket's id.
export async function connectRawWebSocket(server) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`);
  ws.on("error", () => {}); // a test that makes the server close it checks how, not this
  await nextMessage(ws, "0{");
  const connectReply = nextMessage(ws, "40");
  ws.send("40");
  const { sid } = JSON.parse((await connectReply).slice(2));
  return { ws, id: sid };
}
