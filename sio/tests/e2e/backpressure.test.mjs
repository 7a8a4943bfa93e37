// What the server holds for a client that reads slower than it is sent to: a byte bound per
// connection (4 MiB by default), and over WebSocket a write timeout. A healthy client gets a
// burst of 10,500 chat-sized messages (~1 MB) whole; a client that stops reading is
// disconnected ("transport error") once it is 4 MiB behind, or once nothing could be written to
// it for the write timeout, rather than held forever.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { ack, Clients, connectRawWebSocket, serverDisconnectReason, startServer } from "./helpers.mjs";

// Resolves with the indexes of `count` burst-item events, in the order received.
function burstItems(socket, count, ms = 20_000) {
  return new Promise((done, fail) => {
    const indexes = [];
    const timer = setTimeout(() => fail(new Error(`got ${indexes.length} of ${count} burst items`)), ms);
    socket.on("disconnect", (reason) => fail(new Error(`disconnected (${reason}) after ${indexes.length} items`)));
    socket.on("burst-item", (i) => {
      indexes.push(i);
      if (indexes.length === count) {
        clearTimeout(timer);
        done(indexes);
      }
    });
  });
}

// A Socket.IO connection over raw polling requests, connected to the main namespace; resolves
// with the session's URL and the socket's id. Nothing polls it afterwards.
async function connectRawPolling(server) {
  const handshake = `${server.url}/socket.io/?EIO=4&transport=polling`;
  const { sid } = JSON.parse((await (await fetch(handshake)).text()).slice(1));
  const url = `${handshake}&sid=${sid}`;
  assert.equal(await (await fetch(url, { method: "POST", body: "40" })).text(), "ok");
  const reply = await (await fetch(url)).text();
  assert.match(reply, /^40\{/);
  return { url, id: JSON.parse(reply.slice(2)).sid };
}

describe("byte bound, default options", () => {
  let server;
  let clients;
  let observer;
  before(async () => {
    server = await startServer();
    clients = new Clients(server);
    observer = await clients.connect("/", { transports: ["websocket"] });
  });
  after(async () => {
    clients?.closeAll();
    await server?.stop();
  });

  for (const transport of ["polling", "websocket"]) {
    test(`a burst of 10,500 chat-sized messages reaches a healthy ${transport} client whole`, async () => {
      const socket = await clients.connect("/", { transports: [transport] });
      const count = 10_500;
      const items = burstItems(socket, count);
      socket.emit("burst", count, 60); // 42["burst-item",N,"x...x"]: about 85 bytes each
      const indexes = await items;
      assert.ok(
        indexes.every((value, i) => value === i),
        "every item once, in order",
      );
      assert.equal(socket.connected, true);
      assert.deepEqual(await ack(socket, "echo-ack", "still here"), ["still here"]);
    });
  }

  test("a WebSocket client that stops reading is disconnected once it is 4 MiB behind", async () => {
    const { ws, id } = await connectRawWebSocket(server);
    ws._socket.pause();
    ws.send("42" + JSON.stringify(["burst", 100, 100_000])); // 10 MB
    assert.equal(await serverDisconnectReason(observer, id), "transport error");
    ws.terminate();
  });

  test("a polling client that stops fetching is disconnected once it is 4 MiB behind", async () => {
    const { url, id } = await connectRawPolling(server);
    const burst = "42" + JSON.stringify(["burst", 100, 100_000]);
    assert.equal(await (await fetch(url, { method: "POST", body: burst })).text(), "ok");
    assert.equal(await serverDisconnectReason(observer, id), "transport error");
  });
});

describe("write timeout", () => {
  let server;
  let clients;
  let observer;
  before(async () => {
    // A bound far above what is sent, so that only the timeout can end the connection.
    server = await startServer(["--write-timeout", "1", "--max-buffered-bytes", String(64 << 20)]);
    clients = new Clients(server);
    observer = await clients.connect("/", { transports: ["websocket"] });
  });
  after(async () => {
    clients?.closeAll();
    await server?.stop();
  });

  test("a WebSocket client that reads nothing for the write timeout is disconnected", async () => {
    const { ws, id } = await connectRawWebSocket(server);
    ws._socket.pause();
    const started = Date.now();
    ws.send("42" + JSON.stringify(["burst", 200, 100_000])); // 20 MB: more than the socket buffers hold
    // "transport error" well before the ping timeout (3 s) would have ended it otherwise.
    assert.equal(await serverDisconnectReason(observer, id), "transport error");
    assert.ok(Date.now() - started < 2800, `took ${Date.now() - started} ms`);
    ws.terminate();
  });

  test("a healthy client is not affected", async () => {
    const socket = await clients.connect("/", { transports: ["websocket"] });
    const items = burstItems(socket, 200);
    socket.emit("burst", 200, 100_000);
    assert.equal((await items).length, 200);
    assert.equal(socket.connected, true);
  });
});
