// Rooms and broadcasts with several clients, spread over the server's two event loops: a room
// message reaches its members only, leaving a room stops it, and a broadcast skips its sender.
//
// "Did not receive" is checked once a later message to the same client has arrived: the server
// sends to one client in order, so anything sent before would have come first.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { ack, Clients, record, startServer, waitFor, waitForMatching } from "./helpers.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(() => server?.stop());

for (const transport of ["polling", "websocket"]) {
  describe(`rooms over ${transport}`, () => {
    let clients;
    before(() => {
      clients = new Clients(server);
    });
    after(() => clients.closeAll());
    const options = { transports: [transport] };

    async function threeClients() {
      return Promise.all([clients.connect("/", options), clients.connect("/", options), clients.connect("/", options)]);
    }

    // Proves that whatever the server sent `socket` before now has arrived.
    async function flushed(socket) {
      await ack(socket, "echo-ack");
    }

    test("a room message reaches the members only, the sender included", async () => {
      const [a, b, c] = await threeClients();
      const room = `room-${transport}-1`;
      assert.deepEqual(await ack(a, "join", room), [true]);
      assert.deepEqual(await ack(b, "join", room), [true]);
      const atC = record(c, "room-message");

      const atA = waitFor(a, "room-message");
      const atB = waitFor(b, "room-message");
      const message = { hello: "room", n: [1, 2], ok: true };
      assert.deepEqual(await ack(a, "to-room", { room, msg: message }), [true]);
      assert.deepEqual(await atA, [message]);
      assert.deepEqual(await atB, [message]);

      await flushed(c);
      assert.deepEqual(atC.seen, []);
    });

    test("after leaving a room, its messages stop", async () => {
      const [a, b] = await threeClients();
      const room = `room-${transport}-2`;
      await ack(a, "join", room);
      await ack(b, "join", room);
      const first = waitFor(b, "room-message");
      await ack(a, "to-room", { room, msg: "first" });
      assert.deepEqual(await first, ["first"]);

      assert.deepEqual(await ack(b, "leave", room), [true]);
      const atB = record(b, "room-message");
      const atA = waitFor(a, "room-message");
      await ack(a, "to-room", { room, msg: "second" });
      assert.deepEqual(await atA, ["second"]);
      await flushed(b);
      assert.deepEqual(atB.seen, []);
    });

    test("a message to a room nobody is in reaches nobody", async () => {
      const [a, b] = await threeClients();
      const atA = record(a, "room-message");
      const atB = record(b, "room-message");
      assert.deepEqual(await ack(a, "to-room", { room: `empty-${transport}`, msg: "void" }), [true]);
      await Promise.all([flushed(a), flushed(b)]);
      assert.deepEqual(atA.seen, []);
      assert.deepEqual(atB.seen, []);
    });

    test("a broadcast reaches every other socket of the namespace, not the sender", async () => {
      const [a, b, c] = await threeClients();
      const other = await clients.connect("/custom", options); // another namespace: not reached
      const atA = record(a, "broadcast-message");
      const atOther = record(other, "broadcast-message");
      const payload = ["news", { id: 7 }, Buffer.from([1, 2, 3])];
      const ours = (tag) => tag === payload[0];
      const atB = waitForMatching(b, "broadcast-message", ours);
      const atC = waitForMatching(c, "broadcast-message", ours);
      assert.deepEqual(await ack(a, "broadcast", ...payload), [true]);
      assert.deepEqual(await atB, payload);
      assert.deepEqual(await atC, payload);
      await Promise.all([flushed(a), flushed(other)]);
      assert.deepEqual(atA.seen, []);
      assert.deepEqual(atOther.seen, []);
    });

    test("every socket is in a room named by its id", async () => {
      const [a, b] = await threeClients();
      const atB = waitFor(b, "room-message");
      await ack(a, "to-room", { room: b.id, msg: "direct" });
      assert.deepEqual(await atB, ["direct"]);
    });
  });
}
