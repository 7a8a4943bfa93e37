// The ends of a connection, seen from both sides: the server disconnecting a socket or the
// whole connection, the client leaving a namespace or losing its transport, and the client's
// automatic reconnection afterwards.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { ack, Clients, connected, record, serverDisconnectReason, startServer, waitFor } from "./helpers.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(() => server?.stop());

for (const transport of ["polling", "websocket"]) {
  describe(`disconnection over ${transport}`, () => {
    let clients;
    let observer; // asks the server which disconnect reasons it saw
    before(async () => {
      clients = new Clients(server);
      observer = await clients.connect("/", { transports: ["websocket"] });
    });
    after(() => clients.closeAll());
    const options = { transports: [transport] };

    test("server disconnect: the client gets \"io server disconnect\", other namespaces stay", async () => {
      const main = await clients.connect("/", options);
      const custom = main.io.socket("/custom");
      await connected(custom);
      const id = main.id;
      const gone = waitFor(main, "disconnect");
      main.emit("server-disconnect");
      assert.deepEqual(await gone, ["io server disconnect", undefined]);
      assert.equal(main.connected, false);
      assert.equal(await serverDisconnectReason(observer, id), "server namespace disconnect");
      // The connection itself is still up for /custom.
      assert.equal(custom.connected, true);
      assert.deepEqual(await ack(custom, "echo-ack", "alive"), ["alive"]);
    });

    test("a handler that disconnects its socket and goes on using it: nothing more is sent, nothing breaks", async () => {
      const main = await clients.connect("/", options);
      const id = main.id;
      const after = record(main, "after-disconnect");
      const gone = waitFor(main, "disconnect");
      main.emit("disconnect-then-use", () => assert.fail("acknowledged after the disconnect"));
      assert.deepEqual(await gone, ["io server disconnect", undefined]);
      assert.equal(await serverDisconnectReason(observer, id), "server namespace disconnect");
      // The server still serves everybody, this connection's other namespaces included.
      const custom = main.io.socket("/custom");
      await connected(custom);
      assert.deepEqual(await ack(custom, "echo-ack", "alive"), ["alive"]);
      assert.deepEqual(after.seen, []);
    });

    test("a handler that throws costs its client the connection, and nobody else anything", async () => {
      const victim = await clients.connect("/", options);
      const bystander = await clients.connect("/", options);
      const gone = waitFor(victim, "disconnect");
      victim.emit("throw-in-handler");
      const [reason] = await gone;
      assert.equal(reason, "io server disconnect");
      assert.deepEqual(await ack(bystander, "echo-ack", "still here"), ["still here"]);
      const fresh = await clients.connect("/", options);
      assert.deepEqual(await ack(fresh, "echo-ack", "new"), ["new"]);
    });

    test("server disconnect with close: every namespace of the connection is disconnected", async () => {
      const main = await clients.connect("/", options);
      const custom = main.io.socket("/custom");
      await connected(custom);
      const engineClosed = waitFor(main.io.engine, "close");
      const mainGone = waitFor(main, "disconnect");
      const customGone = waitFor(custom, "disconnect");
      main.emit("server-close");
      const [[mainReason], [customReason]] = await Promise.all([mainGone, customGone]);
      assert.equal(mainReason, "io server disconnect");
      assert.equal(customReason, "io server disconnect");
      const mainReasons = record(main, "disconnect");
      const customReasons = record(custom, "disconnect");
      await engineClosed;
      assert.equal(main.io.engine.readyState, "closed");
      // Once only: not again for the transport's close.
      assert.deepEqual(mainReasons.seen, []);
      assert.deepEqual(customReasons.seen, []);
    });

    test("client disconnect: the server sees \"client namespace disconnect\"", async () => {
      const socket = await clients.connect("/", options);
      const id = socket.id;
      const gone = waitFor(socket, "disconnect");
      socket.disconnect();
      assert.deepEqual(await gone, ["io client disconnect", undefined]);
      assert.equal(await serverDisconnectReason(observer, id), "client namespace disconnect");
    });

    test("client leaving one namespace keeps the connection for the others", async () => {
      const main = await clients.connect("/", options);
      const custom = main.io.socket("/custom");
      await connected(custom);
      const customId = custom.id;
      custom.disconnect();
      assert.equal(await serverDisconnectReason(observer, customId), "client namespace disconnect");
      assert.deepEqual(await ack(main, "echo-ack", "alive"), ["alive"]);
    });

    test("client closing its transport: the server sees \"transport close\"", async () => {
      const socket = await clients.connect("/", options);
      const id = socket.id;
      const gone = waitFor(socket, "disconnect");
      socket.io.engine.close();
      await gone;
      assert.equal(await serverDisconnectReason(observer, id), "transport close");
    });

    test("reconnection: the client reconnects by itself after its transport is cut", async () => {
      const socket = await clients.connect("/", {
        ...options,
        reconnection: true,
        reconnectionDelay: 50,
        reconnectionDelayMax: 100,
      });
      const firstId = socket.id;
      const gone = waitFor(socket, "disconnect");
      const reconnected = waitFor(socket.io, "reconnect");
      const back = waitFor(socket, "connect");
      socket.io.engine.close();
      await gone;
      assert.equal(socket.connected, false);
      const [attempts] = await reconnected;
      assert.ok(attempts >= 1);
      await back;
      assert.equal(socket.connected, true);
      assert.notEqual(socket.id, firstId); // no recovery on this server: a new session
      assert.ok(!socket.recovered);
      assert.equal(socket.io.engine.transport.name, transport);
      assert.deepEqual(await ack(socket, "echo-ack", "again"), ["again"]);
      assert.equal(await serverDisconnectReason(observer, firstId), "transport close");
    });
  });
}

describe("ping timeout", () => {
  test("a client that stops answering pings is disconnected by the server", async (t) => {
    const clients = new Clients(server);
    t.after(() => clients.closeAll());
    const observer = await clients.connect("/", { transports: ["websocket"] });
    const socket = await clients.connect("/", { transports: ["websocket"] });
    const id = socket.id;
    // Stop the client's engine from answering: drop the pongs it would send.
    const engine = socket.io.engine;
    const sendPacket = engine._sendPacket.bind(engine);
    engine._sendPacket = (type, ...rest) => (type === "pong" ? undefined : sendPacket(type, ...rest));
    // pingInterval 1000 ms + pingTimeout 2000 ms on the server.
    assert.equal(await serverDisconnectReason(observer, id, 6000), "ping timeout");
  });
});
