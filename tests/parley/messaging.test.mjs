// The seed's two events as a user sees them: send_message (ack, then receive_message to every
// socket of sender and receiver, exactly once, nobody else) and get_messages (the
// conversation from both sides, oldest first; pages with before/limit; nobody else's messages).
import assert from "node:assert/strict";
import { randomInt, randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";

import {
  ISO_MS, Clients, ack, expectFailure, history, mintToken, nowSeconds, record, runId, send, startParley, tokenUser,
  waitForMatching,
  seedFields,
} from "./helpers.mjs";

let server;
let clients;
before(async () => {
  server = await startParley();
  clients = new Clients(server);
});
after(async () => {
  clients?.closeAll();
  await server?.stop();
});

// Resolves when each socket has received the receive_message with this content.
function arrivals(sockets, content) {
  return Promise.all(sockets.map((s) => waitForMatching(s, "receive_message", (m) => m?.content === content)));
}

// The receive_message / messages_list shape, with the server's id and timestamp.
function expectedMessage(id, content, sender, receiver, createdAt) {
  return {
    id, content, senderId: sender.id, senderName: sender.name, receiverId: receiver.id, receiverName: receiver.name, createdAt,
  };
}

function assertTimestamp(createdAt, notBefore, notAfter) {
  assert.match(createdAt, ISO_MS);
  const t = Date.parse(createdAt);
  // Same machine, same clock; a little slack for the rounding to milliseconds.
  assert.ok(t >= notBefore - 5 && t <= notAfter + 5, `createdAt ${createdAt} outside the send`);
}

describe("send_message and receive_message", { concurrency: true }, () => {
  test("ack {success, messageId}; each socket of sender and receiver gets it once; a third user nothing", async () => {
    const alice = tokenUser("Alice");
    const bob = tokenUser("Bob");
    const carol = tokenUser("Carol");
    const [a1, a2, b1, b2, c1] = await Promise.all([
      clients.connect(alice.token), clients.connect(alice.token),
      clients.connect(bob.token), clients.connect(bob.token, { transports: ["polling"] }),
      clients.connect(carol.token),
    ]);
    const sockets = { a1, a2, b1, b2, c1 };
    const seen = Object.fromEntries(Object.entries(sockets).map(([k, s]) => [k, record(s, "receive_message").seen]));

    const content = "Hello, how are you?";
    const delivered = arrivals([a1, a2, b1, b2], content);
    const start = Date.now();
    const reply = await ack(a1, "send_message", { receiverId: bob.id, content });
    const end = Date.now();
    assert.deepEqual(Object.keys(seedFields(reply)).sort(), ["messageId", "success"]);
    assert.equal(reply.success, true);
    assert.ok(Number.isInteger(reply.messageId) && reply.messageId > 0, `messageId ${reply.messageId}`);

    const received = (await delivered).map(([m]) => m);
    assertTimestamp(received[0].createdAt, start, end);
    const message = expectedMessage(reply.messageId, content, alice, bob, received[0].createdAt);
    for (const m of received) assert.deepEqual(seedFields(m), message);

    // Later messages on the same connections prove that nothing else came before them.
    await Promise.all([arrivals([a1, a2, c1], "marker for Alice"), send(c1, alice.id, "marker for Alice")]);
    await Promise.all([arrivals([b1, b2, c1], "marker for Bob"), send(c1, bob.id, "marker for Bob")]);
    for (const name of ["a1", "a2"]) assert.deepEqual(seen[name].map((m) => m.content), [content, "marker for Alice"], name);
    for (const name of ["b1", "b2"]) assert.deepEqual(seen[name].map((m) => m.content), [content, "marker for Bob"], name);
    assert.deepEqual(seen.c1.map((m) => m.content), ["marker for Alice", "marker for Bob"], "the third user");
    assert.deepEqual(seedFields(seen.a1[0]), message);
  });

  test("a message to oneself reaches each of one's sockets once", async () => {
    const dana = tokenUser("Dana");
    const [d1, d2] = await Promise.all([clients.connect(dana.token), clients.connect(dana.token)]);
    const seen = [record(d1, "receive_message").seen, record(d2, "receive_message").seen];
    const delivered = arrivals([d1, d2], "note to self");
    const { messageId } = await send(d1, dana.id, "note to self");
    const [[m]] = await delivered;
    assert.deepEqual(seedFields(m), expectedMessage(messageId, "note to self", dana, dana, m.createdAt));
    const marker = arrivals([d1, d2], "second note");
    await send(d2, dana.id, "second note");
    await marker;
    for (const s of seen) assert.deepEqual(s.map((x) => x.content), ["note to self", "second note"]);
  });

  test("user ids in upper case name the same users, as with the seed's uuid column", async () => {
    const gina = tokenUser("Gina");
    const hugo = tokenUser("Hugo");
    // Gina's second socket carries a token whose sub is her id in upper case.
    const ginaUpper = mintToken({ sub: gina.id.toUpperCase(), name: gina.name, iat: nowSeconds(), exp: nowSeconds() + 3600 });
    const [g1, g2, h] = await Promise.all([
      clients.connect(gina.token), clients.connect(ginaUpper), clients.connect(hugo.token),
    ]);
    const delivered = arrivals([g1, g2, h], "upper-case receiverId");
    const { messageId } = await send(g2, hugo.id.toUpperCase(), "upper-case receiverId");
    for (const [m] of await delivered) {
      assert.deepEqual(seedFields(m), expectedMessage(messageId, "upper-case receiverId", gina, hugo, m.createdAt));
    }
    const { list } = await history(h, { otherUserId: gina.id.toUpperCase() });
    assert.deepEqual(list.map((m) => [m.id, m.senderId, m.receiverId]), [[messageId, gina.id, hugo.id]]);
  });

  test("user ids of other applications (any string, integers as strings) work both ways, in pushes and history", async () => {
    // Unique per run (a shared PostgreSQL keeps earlier runs' users).
    const numeric = String(1_000_000_000 + randomInt(1_000_000_000));
    const email = `alice.${runId}@example.com`;
    const user = (sub, name) => ({
      id: sub, name, token: mintToken({ sub, name, iat: nowSeconds(), exp: nowSeconds() + 3600 }),
    });
    const n = user(numeric, `Numeric ${runId}`);
    const e = user(email, `Email ${runId}`);
    const [ns, es] = await Promise.all([clients.connect(n.token), clients.connect(e.token)]);

    const first = arrivals([ns, es], "from the e-mail id");
    const { messageId: one } = await send(es, n.id, "from the e-mail id");
    for (const [m] of await first) assert.deepEqual(seedFields(m), expectedMessage(one, "from the e-mail id", e, n, m.createdAt));
    // The receiver named by a JSON integer: kept as its decimal text, sent back as a string.
    const second = arrivals([ns, es], "to a numeric receiverId");
    const reply = await ack(es, "send_message", { receiverId: Number(numeric), content: "to a numeric receiverId" });
    assert.equal(reply.success, true, JSON.stringify(reply));
    for (const [m] of await second) {
      assert.deepEqual(seedFields(m), expectedMessage(reply.messageId, "to a numeric receiverId", e, n, m.createdAt));
      assert.equal(typeof m.receiverId, "string");
    }
    const third = arrivals([ns, es], "from the numeric id");
    const { messageId: three } = await send(ns, e.id, "from the numeric id");
    for (const [m] of await third) assert.deepEqual(seedFields(m), expectedMessage(three, "from the numeric id", n, e, m.createdAt));

    const contents = ["from the e-mail id", "to a numeric receiverId", "from the numeric id"];
    for (const [socket, otherUserId] of [[ns, e.id], [es, n.id], [es, Number(numeric)]]) {
      const { list } = await history(socket, { otherUserId });
      assert.deepEqual(list.map((m) => m.content), contents, `history asked with ${JSON.stringify(otherUserId)}`);
      assert.deepEqual(list.map((m) => [m.senderId, m.receiverId]), [[email, numeric], [email, numeric], [numeric, email]]);
    }
  });

  test("content comes back exactly as sent (unicode, quotes, newlines, markup)", async () => {
    const erin = tokenUser("Erin ✓ «Ünïcødé»");
    const frank = tokenUser("Frank");
    const [e, f] = await Promise.all([clients.connect(erin.token), clients.connect(frank.token)]);
    const contents = [
      "ünïcødé ✓ 日本語 😀👍🏽 €",
      'quotes " and \' and \\ backslash',
      "line one\nline two\r\n\ttabbed",
      "<script>alert('x')</script> &amp;",
      "  padded with spaces  ",
      "\u200b zero-width space is not white space",
    ];
    for (const content of contents) {
      const delivered = arrivals([f], content);
      const { messageId } = await send(e, frank.id, content);
      const [[m]] = await delivered;
      assert.deepEqual(seedFields(m), expectedMessage(messageId, content, erin, frank, m.createdAt));
    }
    const { list } = await history(f, { otherUserId: erin.id });
    assert.deepEqual(list.map((m) => m.content), contents);
    assert.ok(list.every((m) => m.senderName === erin.name && m.receiverName === frank.name));
  });
});

describe("send_message with a clientMessageId (idempotent sending)", { concurrency: true }, () => {
  test("a retry is acknowledged with the same id, stored once and delivered once", async () => {
    const ivy = tokenUser("Ivy");
    const jon = tokenUser("Jon");
    const [i1, j1] = await Promise.all([clients.connect(ivy.token), clients.connect(jon.token)]);
    const seenByJon = record(j1, "receive_message").seen;
    const clientMessageId = randomUUID();
    const payload = { receiverId: jon.id, content: "only once", clientMessageId };
    const delivered = arrivals([i1, j1], "only once");
    const first = await ack(i1, "send_message", payload);
    assert.equal(first.success, true);
    for (const [m] of await delivered) {
      // The key comes back as an additive field, so that the sender's clients can match it.
      assert.deepEqual(seedFields(m), { ...expectedMessage(first.messageId, "only once", ivy, jon, m.createdAt), clientMessageId });
    }
    // The retry after a lost ack, from the sender's next connection.
    const i2 = await clients.connect(ivy.token);
    assert.deepEqual(seedFields(await ack(i2, "send_message", payload)), { success: true, messageId: first.messageId });
    // The same key for something else is refused.
    await expectFailure(i1, "send_message", [{ ...payload, content: "something else" }],
      "clientMessageId was already used for another message");
    const kim = tokenUser("Kim");
    await clients.connect(kim.token);
    await expectFailure(i1, "send_message", [{ ...payload, receiverId: kim.id }],
      "clientMessageId was already used for another message");
    // Another sender may use the same key.
    const fromJon = await ack(j1, "send_message", { receiverId: ivy.id, content: "reply", clientMessageId });
    assert.equal(fromJon.success, true);
    assert.notEqual(fromJon.messageId, first.messageId);

    const marker = arrivals([j1], "marker");
    await send(i1, jon.id, "marker");
    await marker;
    assert.deepEqual(seenByJon.map((m) => m.content), ["only once", "reply", "marker"]);
    const { list } = await history(j1, { otherUserId: ivy.id });
    assert.deepEqual(list.map((m) => m.content), ["only once", "reply", "marker"]);
  });

  test("sent twice at once, it is stored once and both acks carry its id", async () => {
    const lea = tokenUser("Lea");
    const max = tokenUser("Max");
    const [l1, l2, m1] = await Promise.all([
      clients.connect(lea.token), clients.connect(lea.token), clients.connect(max.token),
    ]);
    const seenByMax = record(m1, "receive_message").seen;
    const payload = { receiverId: max.id, content: "twice at once", clientMessageId: randomUUID() };
    const [a, b] = await Promise.all([ack(l1, "send_message", payload), ack(l2, "send_message", payload)]);
    assert.equal(a.success, true);
    assert.deepEqual(b, a);
    const { list } = await history(m1, { otherUserId: lea.id });
    assert.deepEqual(list.map((m) => m.id), [a.messageId]);
    // Delivered once too: this process knows it delivered the first.
    const marker = arrivals([m1], "marker after the pair");
    await send(l1, max.id, "marker after the pair");
    await marker;
    assert.deepEqual(seenByMax.map((m) => m.content), ["twice at once", "marker after the pair"]);
  });

  test("a clientMessageId that is not 1-64 printable ASCII characters is refused; null means none", async () => {
    const ned = tokenUser("Ned");
    const ola = tokenUser("Ola");
    const [n] = await Promise.all([clients.connect(ned.token), clients.connect(ola.token)]);
    for (const bad of [42, "", "x".repeat(65), "with space", "€uro", {}, ["a"], true]) {
      await expectFailure(n, "send_message", [{ receiverId: ola.id, content: "x", clientMessageId: bad }],
        "Invalid clientMessageId");
    }
    const reply = await ack(n, "send_message", { receiverId: ola.id, content: "null key", clientMessageId: null });
    assert.equal(reply.success, true);
  });
});

describe("get_messages", { concurrency: true }, () => {
  test("messages_list: both sides' messages, oldest first, the same for both users, in the receive_message shape", async () => {
    const alice = tokenUser("Alice");
    const bob = tokenUser("Bob");
    const [a, b] = await Promise.all([clients.connect(alice.token), clients.connect(bob.token)]);
    const receivedByAlice = record(a, "receive_message").seen;
    const sent = [];
    for (let i = 1; i <= 5; ++i) {
      const [from, to] = i % 2 ? [a, bob] : [b, alice];
      const content = `message ${i}`;
      const delivered = arrivals([a], content);
      const { messageId } = await send(from, to.id, content);
      await delivered;
      sent.push({ id: messageId, content, from: i % 2 ? alice : bob, to: i % 2 ? bob : alice });
    }
    const ids = sent.map((m) => m.id);
    assert.deepEqual([...ids].sort((x, y) => x - y), ids, "ids increase");

    const fromAlice = await history(a, { otherUserId: bob.id });
    assert.deepEqual(fromAlice.list, receivedByAlice, "history equals what was delivered");
    fromAlice.list.forEach((m, i) => {
      assert.match(m.createdAt, ISO_MS);
      assert.deepEqual(seedFields(m), expectedMessage(sent[i].id, sent[i].content, sent[i].from, sent[i].to, m.createdAt));
    });
    const fromBob = await history(b, { otherUserId: alice.id });
    assert.deepEqual(fromBob.list, fromAlice.list);

    // Without ack, as the seed's clients ask: the list comes all the same.
    const listed = waitForMatching(a, "messages_list", () => true);
    a.emit("get_messages", { otherUserId: bob.id });
    assert.deepEqual((await listed)[0], fromAlice.list);
  });

  test("pages with before/limit, newest page first, the ack saying hasMore", async () => {
    const alice = tokenUser("Alice");
    const bob = tokenUser("Bob");
    const [a, b] = await Promise.all([clients.connect(alice.token), clients.connect(bob.token)]);
    const ids = [];
    const seqs = [];  // `before` is a seq (docs/api.md)
    for (let i = 1; i <= 5; ++i) {
      const sent = await send(i % 2 ? a : b, i % 2 ? bob.id : alice.id, `page ${i}`);
      ids.push(sent.messageId);
      seqs.push(sent.seq);
    }
    const page = async (socket, other, extra) => {
      const { list, reply } = await history(socket, { otherUserId: other.id, ...extra });
      return { ids: list.map((m) => m.id), reply };
    };

    assert.deepEqual(await page(a, bob, { limit: 2 }), { ids: ids.slice(3), reply: { success: true, hasMore: true } });
    assert.deepEqual(await page(a, bob, { limit: 2, before: seqs[3] }),
      { ids: ids.slice(1, 3), reply: { success: true, hasMore: true } });
    assert.deepEqual(await page(b, alice, { limit: 2, before: seqs[1] }),
      { ids: ids.slice(0, 1), reply: { success: true, hasMore: false } });
    assert.deepEqual(await page(b, alice, { limit: 5 }), { ids, reply: { success: true, hasMore: false } });
    assert.deepEqual(await page(a, bob, { limit: 50 }), { ids, reply: { success: true, hasMore: false } });
    assert.deepEqual((await page(a, bob, { before: seqs[2] })).ids, ids.slice(0, 2));
    assert.deepEqual((await page(a, bob, { before: seqs[0] })).ids, []);
  });

  test('without limit (the seed\'s "all messages"), the newest page of 100; hasMore and before page back', async () => {
    const alice = tokenUser("Alice");
    const bob = tokenUser("Bob");
    const [a, b] = await Promise.all([clients.connect(alice.token), clients.connect(bob.token)]);
    // 130 messages, from both sides (each within its own per-user burst).
    const ids = [];
    for (let i = 0; i < 130; i += 2) {
      const pair = await Promise.all([send(a, bob.id, `m${i}`), send(b, alice.id, `m${i + 1}`)]);
      ids.push(...pair.map((r) => r.messageId));
    }
    ids.sort((x, y) => x - y);
    const newest = await history(a, { otherUserId: bob.id });
    assert.deepEqual(newest.list.map((m) => m.id), ids.slice(-100));
    assert.deepEqual(newest.reply, { success: true, hasMore: true });
    const older = await history(b, { otherUserId: alice.id, before: newest.list[0].seq });
    assert.deepEqual(older.list.map((m) => m.id), ids.slice(0, 30));
    assert.deepEqual(older.reply, { success: true, hasMore: false });
    // The seed's clients ask without an ack: the same page.
    const listed = waitForMatching(a, "messages_list", () => true);
    a.emit("get_messages", { otherUserId: bob.id });
    assert.deepEqual((await listed)[0].map((m) => m.id), ids.slice(-100));
  });

  test("a user never gets another pair's messages", async () => {
    const alice = tokenUser("Alice");
    const bob = tokenUser("Bob");
    const carol = tokenUser("Carol");
    const [a, b, c] = await Promise.all([
      clients.connect(alice.token), clients.connect(bob.token), clients.connect(carol.token),
    ]);
    await send(a, bob.id, "between Alice and Bob");
    await send(b, alice.id, "Bob answers Alice");
    await send(c, alice.id, "Carol to Alice");

    assert.deepEqual((await history(c, { otherUserId: bob.id })).list, [], "Carol asks for Bob");
    const carolAlice = (await history(c, { otherUserId: alice.id })).list;
    assert.deepEqual(carolAlice.map((m) => m.content), ["Carol to Alice"]);
    assert.deepEqual((await history(b, { otherUserId: carol.id })).list, [], "Bob asks for Carol");
    const aliceBob = (await history(a, { otherUserId: bob.id })).list;
    assert.deepEqual(aliceBob.map((m) => m.content), ["between Alice and Bob", "Bob answers Alice"]);
    // Someone nobody has talked with, or who does not exist: an empty list, not an error.
    assert.deepEqual((await history(a, { otherUserId: tokenUser().id })).list, []);
  });
});

describe("with --history-page-size 3", () => {
  test("get_messages without limit answers the newest 3; a limit still picks its own page", async () => {
    const own = await startParley({ args: ["--history-page-size", "3"] });
    const ownClients = new Clients(own);
    try {
      const alice = tokenUser("Alice");
      const bob = tokenUser("Bob");
      const [a] = await Promise.all([ownClients.connect(alice.token), ownClients.connect(bob.token)]);
      const ids = [];
      for (let i = 0; i < 5; ++i) ids.push((await send(a, bob.id, `n${i}`)).messageId);
      const newest = await history(a, { otherUserId: bob.id });
      assert.deepEqual({ ids: newest.list.map((m) => m.id), reply: newest.reply }, { ids: ids.slice(2), reply: { success: true, hasMore: true } });
      assert.deepEqual((await history(a, { otherUserId: bob.id, limit: 5 })).list.map((m) => m.id), ids);
    } finally {
      ownClients.closeAll();
      await own.stop();
    }
  });
});
