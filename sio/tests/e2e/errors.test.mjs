// An exception thrown by application code on an event-loop thread (sio-e2e-server
// --with-throwing-handlers) is reported and costs only the connection concerned: an HTTP route
// answers 500 and closes, an Engine.IO or Socket.IO session is closed, a posted task's failure
// is reported and its loop runs on. The process serves every other client throughout (before,
// the first exception ended it).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { ack, Clients, EngineSocket, startServer, waitFor } from "./helpers.mjs";

let server;
let clients;
let bystander; // connected before any failure, checked after each
before(async () => {
  server = await startServer(["--with-throwing-handlers"]);
  clients = new Clients(server);
  bystander = await clients.connect("/", { transports: ["websocket"] });
});
after(async () => {
  clients?.closeAll();
  await server?.stop();
});

// The server reported a line containing `text` on stderr (it may take a moment to arrive).
async function reported(text) {
  const deadline = Date.now() + 2000;
  while (!server.stderr.some((line) => line.includes(text))) {
    assert.ok(Date.now() < deadline, `no report containing "${text}"; stderr: ${server.stderr.join("\n")}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

async function othersStillServed() {
  assert.deepEqual(await ack(bystander, "echo-ack", "still here"), ["still here"]);
  assert.equal((await fetch(`${server.url}/http/body`, { method: "POST", body: "abc" })).status, 200);
}

test("an HTTP route that throws answers 500 and closes that connection", async () => {
  const response = await fetch(`${server.url}/http/throw?secret=hidden`);
  assert.equal(response.status, 500);
  assert.equal(response.headers.get("connection"), "close");
  assert.equal(await response.text(), "Internal Server Error");
  await reported("HTTP endpoint failed on /http/throw: boom from /http/throw");
  assert.ok(!server.stderr.some((line) => line.includes("hidden")), "the query is not reported");
  await othersStillServed();
});

for (const transport of ["polling", "websocket"]) {
  describe(`Engine.IO over ${transport}`, () => {
    test("a message handler that throws closes that session only", async (t) => {
      const socket = new EngineSocket(server.url, { path: "/engine.io/", transports: [transport] });
      t.after(() => socket.close());
      await waitFor(socket, "open");
      const closed = waitFor(socket, "close");
      socket.send("throw");
      await closed;
      await reported("on_message failed: boom from an Engine.IO message");
      await othersStillServed();
    });

    test("a connection handler that throws closes that session only", async (t) => {
      const socket = new EngineSocket(server.url, { path: "/engine.io/", transports: [transport], query: { throw: "connect" } });
      t.after(() => socket.close());
      await waitFor(socket, "close");
      await reported("the connection handler failed: boom from on_connection");
      await othersStillServed();
    });
  });
}

test("a Socket.IO event handler that throws closes that connection only", async () => {
  const socket = await clients.connect("/throwing", { transports: ["websocket"] });
  const gone = waitFor(socket, "disconnect");
  socket.emit("throw");
  await gone;
  await reported("boom from a Socket.IO event");
  await othersStillServed();
});

test("a posted task that throws is reported and its loop runs on", async () => {
  const socket = await clients.connect("/throwing", { transports: ["websocket"] });
  assert.deepEqual(await ack(socket, "throw-later"), [true]);
  await reported("failed: boom from a posted task");
  // The same socket, on the same loop, is answered after the failure.
  assert.deepEqual(await ack(socket, "echo-ack", "after"), ["after"]);
  await othersStillServed();
});
