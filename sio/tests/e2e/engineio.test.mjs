// The bare engine.io-client against the Engine.IO echo server at /engine.io/: opening, and
// text and binary messages echoed over polling, WebSocket, and polling upgraded to WebSocket.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { EngineSocket, startServer, waitFor } from "./helpers.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(() => server?.stop());

function open(transports, extra = {}) {
  const socket = new EngineSocket(server.url, { path: "/engine.io/", transports, ...extra });
  return socket;
}

// Sends each message and resolves with the echoes, in the order received.
function echoes(socket, messages) {
  return new Promise((done, fail) => {
    const received = [];
    const timer = setTimeout(() => fail(new Error(`got ${received.length} of ${messages.length} echoes`)), 5000);
    socket.on("message", (data) => {
      received.push(data);
      if (received.length === messages.length) {
        clearTimeout(timer);
        done(received);
      }
    });
    for (const message of messages) socket.send(message);
  });
}

// (No empty message: engine.io-parser decodes the packet "4" as a message without data.)
const text = ["hello", "ünïcødé ✓ 🎉", "x".repeat(50_000), '{"json":"as text"}', " "];

// Compares without printing 50 kB strings on failure.
function assertSameTexts(received, expected) {
  assert.equal(received.length, expected.length);
  received.forEach((data, i) => {
    assert.equal(typeof data, "string", `echo ${i} is text`);
    assert.ok(data === expected[i], `echo ${i}: ${data.length} chars, expected ${expected[i].length}`);
  });
}
const binary = [Buffer.from([0, 1, 2, 255]), Uint8Array.of(10, 20, 30), Buffer.alloc(70_000, 0x42)];

for (const transports of [["polling"], ["websocket"]]) {
  describe(`engine.io-client over ${transports[0]}`, () => {
    test("opens a session with the server's settings", async (t) => {
      const socket = open(transports);
      t.after(() => socket.close());
      await waitFor(socket, "open");
      assert.equal(typeof socket.id, "string");
      assert.equal(socket.transport.name, transports[0]);
      assert.equal(socket._pingInterval, 1000);
      assert.equal(socket._pingTimeout, 2000);
      assert.equal(socket._maxPayload, 1_000_000);
    });

    test("text messages are echoed as text, in order", async (t) => {
      const socket = open(transports);
      t.after(() => socket.close());
      await waitFor(socket, "open");
      assertSameTexts(await echoes(socket, text), text);
    });

    test("binary messages are echoed as the same bytes", async (t) => {
      const socket = open(transports);
      t.after(() => socket.close());
      await waitFor(socket, "open");
      const received = await echoes(socket, binary);
      assert.equal(received.length, binary.length);
      received.forEach((data, i) => {
        assert.equal(typeof data, "object", `echo ${i} is binary`);
        assert.deepEqual(Buffer.from(data), Buffer.from(binary[i]));
      });
    });

    test("text and binary mixed keep their kinds and order", async (t) => {
      const socket = open(transports);
      t.after(() => socket.close());
      await waitFor(socket, "open");
      const mixed = ["a", Buffer.from([1]), "b", Buffer.from([2, 2])];
      const received = await echoes(socket, mixed);
      assert.equal(received[0], "a");
      assert.deepEqual(Buffer.from(received[1]), Buffer.from([1]));
      assert.equal(received[2], "b");
      assert.deepEqual(Buffer.from(received[3]), Buffer.from([2, 2]));
    });

    test("the client's close ends the session", async (t) => {
      const socket = open(transports);
      t.after(() => socket.close());
      await waitFor(socket, "open");
      const closed = waitFor(socket, "close");
      socket.close();
      const [reason] = await closed;
      assert.equal(reason, "forced close");
      assert.equal(socket.readyState, "closed");
    });
  });
}

describe("engine.io-client, polling then upgrade", () => {
  test("upgrades to WebSocket and echoes afterwards", async (t) => {
    const socket = open(["polling", "websocket"]);
    t.after(() => socket.close());
    const upgraded = waitFor(socket, "upgrade");
    await waitFor(socket, "open");
    assert.equal(socket.transport.name, "polling");
    await upgraded;
    assert.equal(socket.transport.name, "websocket");
    const received = await echoes(socket, ["after upgrade", Buffer.from([7, 7])]);
    assert.equal(received[0], "after upgrade");
    assert.deepEqual(Buffer.from(received[1]), Buffer.from([7, 7]));
  });

  test("messages sent while upgrading all come back, in order", async (t) => {
    const socket = open(["polling", "websocket"]);
    t.after(() => socket.close());
    const upgraded = waitFor(socket, "upgrade");
    await waitFor(socket, "open");
    const messages = Array.from({ length: 60 }, (_, i) => (i % 3 === 2 ? Buffer.from([i]) : `m${i}`));
    const received = await echoes(socket, messages);
    await upgraded;
    assert.equal(received.length, messages.length);
    received.forEach((data, i) => {
      if (typeof messages[i] === "string") assert.equal(data, messages[i]);
      else assert.deepEqual(Buffer.from(data), messages[i]);
    });
  });
});
