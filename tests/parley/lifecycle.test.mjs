// What survives the server going away: every acknowledged message after a SIGKILL in the
// middle of a stream of sends (restarted on the same database, unchanged, same id), delivery
// of a send retried after a restart, and a graceful SIGTERM (exit 0, clients disconnected so that they reconnect, acknowledged writes
// kept).
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";

import {
  Clients, ack, freshDatabase, record, send, startParley, tokenUser, waitFor, waitForMatching, wholeHistory, withTimeout,
  seedFields,
} from "./helpers.mjs";

// These tests stream messages as fast as the server takes them: no per-user send limit.
const UNLIMITED = ["--send-rate-per-user", "0"];

// Sends up to `count` messages from `socket` to `receiverId`, each with an ack, keeping
// `window` of them unanswered at any time (all at once by default); calls `onAck(acked)` after
// each success. Returns the sent contents and the answers so far: `acked` (content ->
// messageId) and `refused` (contents whose ack said failure).
function sendStream(socket, receiverId, count, onAck, window = count) {
  const tag = randomUUID().slice(0, 8);
  const contents = [];
  const acked = new Map();
  const refused = [];
  const sendOne = () => {
    if (contents.length >= count || !socket.connected) return;
    const content = `durable ${tag} #${contents.length} ${"x".repeat(contents.length % 50)}`;
    contents.push(content);
    socket.emit("send_message", { receiverId, content }, (reply) => {
      if (reply?.success === true) {
        acked.set(content, reply.messageId);
        onAck(acked);
      } else {
        refused.push(content);
      }
      sendOne();
    });
  };
  for (let i = 0; i < Math.min(window, count); ++i) sendOne();
  return { contents, acked, refused };
}

// Checks that the conversation holds every acknowledged message unchanged, and nothing that
// was not sent or was refused.
function assertKept(list, { contents, acked, refused }, sender, receiver) {
  const sent = new Set(contents);
  const ids = list.map((m) => m.id);
  assert.deepEqual(ids, [...ids].sort((x, y) => x - y), "oldest first");
  assert.equal(new Set(ids).size, ids.length, "no id twice");
  assert.equal(new Set(list.map((m) => m.content)).size, list.length, "no message twice");
  for (const m of list) {
    assert.ok(sent.has(m.content), `a message nobody sent: ${m.content.slice(0, 40)}`);
    assert.equal(m.senderId, sender.id);
    assert.equal(m.receiverId, receiver.id);
  }
  const stored = new Map(list.map((m) => [m.content, m.id]));
  const lost = [...acked].filter(([content, id]) => stored.get(content) !== id);
  assert.deepEqual(lost, [], "acknowledged messages missing or changed");
  assert.deepEqual(refused.filter((c) => stored.has(c)), [], "a refused message was stored");
}

describe("server lifecycle", { concurrency: true }, () => {
  test("SIGKILL while messages are in flight: after a restart every acknowledged message is there, unchanged", async () => {
    const database = freshDatabase();
    try {
      const alice = tokenUser("Alice");
      const bob = tokenUser("Bob");
      const first = await startParley({ database, args: UNLIMITED });
      const clients = new Clients(first);
      const [a] = await Promise.all([
        clients.connect(alice.token, { transports: ["websocket"] }),
        clients.connect(bob.token),
      ]);
      // A steady stream with 100 messages unanswered at any time, killed in its middle.
      const total = 50_000;
      const killAt = 1000;
      const stream = sendStream(a, bob.id, total, (acked) => {
        if (acked.size === killAt) first.child.kill("SIGKILL");
      }, 100);
      const dropped = waitFor(a, "disconnect", 15000);
      const { signal } = await withTimeout(first.exited, 15000, "parley was not killed");
      assert.equal(signal, "SIGKILL");
      await dropped;
      clients.closeAll();
      const acked = new Map(stream.acked);
      assert.ok(acked.size >= killAt, `only ${acked.size} acks`);
      assert.ok(stream.contents.length > acked.size, "nothing was in flight at the kill");

      const second = await startParley({ database, args: UNLIMITED });
      const again = new Clients(second);
      try {
        const a2 = await again.connect(alice.token);
        const list = await wholeHistory(a2, { otherUserId: bob.id });
        assertKept(list, { ...stream, acked }, alice, bob);
        // Ids keep increasing after the restart.
        const { messageId } = await send(a2, bob.id, "after the restart");
        assert.ok(messageId > Math.max(...list.map((m) => m.id)), "a new id above the stored ones");
      } finally {
        again.closeAll();
        await second.stop();
      }
    } finally {
      database.remove();
    }
  });

  test("a send retried after a restart (the first process may have died before delivering it) is delivered", async () => {
    const database = freshDatabase();
    try {
      const ann = tokenUser("Ann");
      const ben = tokenUser("Ben");
      const payload = { receiverId: ben.id, content: "did anyone get this?", clientMessageId: randomUUID() };
      const first = await startParley({ database });
      const clients = new Clients(first);
      const [a] = await Promise.all([clients.connect(ann.token), clients.connect(ben.token)]);
      const stored = await send(a, ben.id, "warm-up");
      const original = await ack(a, "send_message", payload);
      assert.equal(original.success, true);
      assert.ok(original.messageId > stored.messageId);
      clients.closeAll();
      await first.stop();

      // The new process never delivered it: the retry is pushed to both users (a client that
      // already had it drops the copy by its id); a second retry is not.
      const second = await startParley({ database });
      const again = new Clients(second);
      try {
        const [a2, b2] = await Promise.all([again.connect(ann.token), again.connect(ben.token)]);
        const seenByBen = record(b2, "receive_message").seen;
        const delivered = Promise.all([a2, b2].map((s) =>
          waitForMatching(s, "receive_message", (m) => m?.content === payload.content, 5000)));
        assert.deepEqual(seedFields(await ack(a2, "send_message", payload)), { success: true, messageId: original.messageId });
        for (const [m] of await delivered) {
          assert.deepEqual([m.id, m.senderId, m.receiverId, m.clientMessageId],
            [original.messageId, ann.id, ben.id, payload.clientMessageId]);
        }
        assert.deepEqual(seedFields(await ack(a2, "send_message", payload)), { success: true, messageId: original.messageId });
        const marker = waitForMatching(b2, "receive_message", (m) => m?.content === "marker", 5000);
        await send(a2, ben.id, "marker");
        await marker;
        assert.deepEqual(seenByBen.map((m) => m.content), [payload.content, "marker"]);
      } finally {
        again.closeAll();
        await second.stop();
      }
    } finally {
      database.remove();
    }
  });

  test("SIGTERM: clients are disconnected (free to reconnect), parley exits 0, acknowledged messages are kept", async () => {
    const database = freshDatabase();
    try {
      const alice = tokenUser("Alice");
      const bob = tokenUser("Bob");
      const server = await startParley({ database, args: UNLIMITED });
      const clients = new Clients(server);
      const [a, b] = await Promise.all([
        clients.connect(alice.token, { transports: ["websocket"] }),
        clients.connect(bob.token, { transports: ["polling"] }),
      ]);
      await send(a, bob.id, "before the stop");
      const disconnects = [a, b].map((s) => waitFor(s, "disconnect", 10000));
      // SIGTERM with 200 messages just sent: each is either acknowledged and kept, refused and
      // not stored, or never answered.
      const stream = sendStream(a, bob.id, 200, () => {});
      const { code, signal } = await server.stop();
      assert.deepEqual({ code, signal }, { code: 0, signal: null });
      // Any reason but "io server disconnect": that one tells socket.io-client never to reconnect.
      for (const [reason] of await Promise.all(disconnects)) assert.notEqual(reason, "io server disconnect");
      clients.closeAll();

      const second = await startParley({ database, args: UNLIMITED });
      const again = new Clients(second);
      try {
        const list = await wholeHistory(await again.connect(bob.token), { otherUserId: alice.id });
        assert.equal(list[0].content, "before the stop");
        assertKept(list.slice(1), stream, alice, bob);
      } finally {
        again.closeAll();
        await second.stop();
      }
    } finally {
      database.remove();
    }
  });
});
