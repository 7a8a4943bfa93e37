// Connection state recovery (server at /recovery/, recovery window 5 s): after a short cut the
// client gets its session back (same id, rooms kept, `socket.recovered`), with the events it
// missed meanwhile; a deliberate disconnection is not recovered.
//
// With recovery on, every event carries its offset as a last, extra argument (as with the
// Node server): the handlers below receive (message, offset).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { ack, Clients, connected, serverDisconnectReason, startServer, waitFor } from "./helpers.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(() => server?.stop());

for (const transport of ["polling", "websocket"]) {
  describe(`connection state recovery over ${transport}`, () => {
    let clients;
    before(() => {
      clients = new Clients(server);
    });
    after(() => clients.closeAll());
    const options = { path: "/recovery/", transports: [transport] };

    test("a short cut is recovered: same id, same rooms, and the missed room message arrives", async () => {
      const [a, b] = await Promise.all([clients.connect("/", options), clients.connect("/", options)]);
      assert.ok(!a.recovered);
      const room = `recovery-${transport}`;
      await ack(a, "join", room);

      // An event before the cut gives the client the offset it will resume from.
      const before = waitFor(a, "room-message");
      await ack(b, "to-room", { room, msg: "before the cut" });
      const [first, offset] = await before;
      assert.equal(first, "before the cut");
      assert.equal(typeof offset, "string");

      const id = a.id;
      const gone = waitFor(a, "disconnect");
      a.io.engine.close();
      await gone;
      assert.equal(await serverDisconnectReason(b, id), "transport close");

      // Sent while A is away (its disconnection is known to the server).
      assert.deepEqual(await ack(b, "to-room", { room, msg: { while: "away", n: 1 } }), [true]);

      const missed = waitFor(a, "room-message");
      const back = connected(a);
      a.connect();
      await back;
      assert.equal(a.recovered, true);
      assert.equal(a.id, id);
      const [message, missedOffset] = await missed;
      assert.deepEqual(message, { while: "away", n: 1 });
      assert.equal(typeof missedOffset, "string");
      assert.notEqual(missedOffset, offset);

      // Still in the room, and the server knows it as the same socket.
      const later = waitFor(a, "room-message");
      await ack(b, "to-room", { room, msg: "after" });
      assert.equal((await later)[0], "after");
      assert.deepEqual(await ack(a, "whoami"), [id, true]);
    });

    test("the client's own automatic reconnection recovers the session", async () => {
      const socket = await clients.connect("/", {
        ...options,
        reconnection: true,
        reconnectionDelay: 50,
        reconnectionDelayMax: 100,
      });
      const echoed = waitFor(socket, "echo");
      socket.emit("echo", "one");
      assert.equal((await echoed)[0], "one");

      const id = socket.id;
      const gone = waitFor(socket, "disconnect");
      const back = waitFor(socket, "connect");
      socket.io.engine.close();
      await gone;
      await back;
      assert.equal(socket.recovered, true);
      assert.equal(socket.id, id);
      const again = waitFor(socket, "echo");
      socket.emit("echo", "two");
      assert.equal((await again)[0], "two");
    });

    test("a client that disconnected on purpose gets a new session", async () => {
      const socket = await clients.connect("/", options);
      const echoed = waitFor(socket, "echo");
      socket.emit("echo", "one");
      await echoed;
      const id = socket.id;
      socket.disconnect();
      const back = connected(socket);
      socket.connect();
      await back;
      assert.ok(!socket.recovered);
      assert.notEqual(socket.id, id);
    });
  });
}
