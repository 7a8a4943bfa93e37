// socket.io-client over each transport (polling only, WebSocket only, polling then the upgrade
// to WebSocket): connecting, and events with JSON and binary arguments in both directions.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { ack, Clients, startServer, waitFor } from "./helpers.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(() => server?.stop());

// Every kind of JSON value, as a user would send it.
const jsonArgs = [
  "plain text",
  "unicode: héllo wörld ✓ 日本語 עברית 🎉👍🏽",
  'escapes: "quoted" back\\slash new\nline tab\t nul\u0000 bell\u0007 del\u007f',
  "lone surrogates: \ud800 \udfff, and a pair: \ud83d\ude00",
  "",
  0,
  42,
  -17,
  3.14159,
  -2.5e-8,
  1e21,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
  null,
  true,
  false,
  [],
  {},
  [1, "two", [3, [4, [5]]], { six: 6 }, null, false],
  {
    name: "nested",
    "key with spaces and ✓": { deeper: { deepest: [true, null, { "": "empty key" }] } },
    list: [{ a: 1 }, { b: [2, 3] }],
    zero: 0,
  },
];

const transportCases = [
  { name: "polling only", options: { transports: ["polling"] }, expected: "polling" },
  { name: "WebSocket only", options: { transports: ["websocket"] }, expected: "websocket" },
];

for (const { name, options, expected } of transportCases) {
  describe(`socket.io-client, ${name}`, () => {
    let clients;
    before(() => {
      clients = new Clients(server);
    });
    after(() => clients.closeAll());

    test("connects and stays on its transport", async () => {
      const socket = await clients.connect("/", options);
      assert.equal(socket.connected, true);
      assert.equal(typeof socket.id, "string");
      assert.equal(socket.io.engine.transport.name, expected);
      const [info] = await ack(socket, "handshake");
      assert.equal(info.transport, expected);
    });

    test("events with JSON arguments of every type come back unchanged", async () => {
      const socket = await clients.connect("/", options);
      const echoed = waitFor(socket, "echo");
      socket.emit("echo", ...jsonArgs);
      assert.deepEqual(await echoed, jsonArgs);
    });

    test("an event with no arguments comes back with none", async () => {
      const socket = await clients.connect("/", options);
      const echoed = waitFor(socket, "echo");
      socket.emit("echo");
      assert.deepEqual(await echoed, []);
    });

    test("binary arguments, mixed with JSON, make the round trip", async () => {
      const socket = await clients.connect("/", options);
      const bytes = Buffer.from([0, 1, 2, 127, 128, 254, 255]);
      const typed = Uint8Array.of(9, 8, 7, 6);
      const large = Buffer.alloc(100_000, 0xab);
      const echoed = waitFor(socket, "echo");
      socket.emit("echo", "before", bytes, { nested: { data: typed, n: 1 } }, [Buffer.from("abc"), 2], large, Buffer.alloc(0));
      const [text, gotBytes, object, list, gotLarge, empty] = await echoed;
      assert.equal(text, "before");
      assert.ok(Buffer.isBuffer(gotBytes));
      assert.deepEqual(gotBytes, bytes);
      assert.equal(object.nested.n, 1);
      assert.deepEqual(Buffer.from(object.nested.data), Buffer.from(typed));
      assert.deepEqual(list[0], Buffer.from("abc"));
      assert.equal(list[1], 2);
      assert.deepEqual(gotLarge, large);
      assert.deepEqual(empty, Buffer.alloc(0));
    });

    test("binary sent by the server arrives as Buffers in their places", async () => {
      const socket = await clients.connect("/", options);
      const received = waitFor(socket, "binary");
      socket.emit("binary-back");
      const [all, middle, last] = await received;
      assert.deepEqual(all, Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
      assert.deepEqual(middle, { text: "between" });
      assert.deepEqual(last, Buffer.from([0xff, 0x00, 0x7f]));
    });

    test("many events in a burst arrive in order", async () => {
      const socket = await clients.connect("/", options);
      const count = 200;
      const received = [];
      const all = new Promise((done) => {
        socket.on("echo", (i) => {
          received.push(i);
          if (received.length === count) done();
        });
      });
      for (let i = 0; i < count; ++i) socket.emit("echo", i);
      await all;
      assert.deepEqual(received, Array.from({ length: count }, (_, i) => i));
    });
  });
}

describe("socket.io-client, polling then upgrade", () => {
  let clients;
  before(() => {
    clients = new Clients(server);
  });
  after(() => clients.closeAll());

  test("starts on polling, upgrades to WebSocket, and events flow after the upgrade", async () => {
    const socket = clients.socket("/");
    const upgraded = waitFor(socket.io.engine, "upgrade");
    await waitFor(socket, "connect");
    const [transport] = await upgraded;
    assert.equal(transport.name, "websocket");
    assert.equal(socket.io.engine.transport.name, "websocket");

    const [info] = await ack(socket, "handshake");
    assert.equal(info.transport, "websocket");

    const echoed = waitFor(socket, "echo");
    socket.emit("echo", ...jsonArgs, Buffer.from([1, 2, 3]));
    const reply = await echoed;
    assert.deepEqual(reply.slice(0, jsonArgs.length), jsonArgs);
    assert.deepEqual(reply[jsonArgs.length], Buffer.from([1, 2, 3]));
  });

  test("events emitted during the upgrade are neither lost nor reordered", async () => {
    const socket = clients.socket("/");
    const count = 100;
    const received = [];
    const all = new Promise((done) => {
      socket.on("echo", (i) => {
        received.push(i);
        if (received.length === count) done();
      });
    });
    const upgraded = waitFor(socket.io.engine, "upgrade");
    // Buffered before the connection, then sent over polling while the probe runs.
    for (let i = 0; i < count / 2; ++i) socket.emit("echo", i);
    await waitFor(socket, "connect");
    for (let i = count / 2; i < count; ++i) socket.emit("echo", i);
    await Promise.all([all, upgraded]);
    assert.deepEqual(received, Array.from({ length: count }, (_, i) => i));
    assert.equal(socket.io.engine.transport.name, "websocket");
  });
});
