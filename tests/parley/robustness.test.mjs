// Whatever a client sends, the server keeps serving: unknown events, payloads of every wrong
// type, nested junk, huge ids and values, binary where text belongs, malformed packets and
// invalid UTF-8. A bad event payload gets an answer and keeps the connection; a packet the
// protocol cannot read (which includes JSON nested deeper than the packet decoder's limit of
// 32 levels) ends only the connection that sent it.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";

import {
  Clients, ack, expectFailure, history, http, send, startParley, tokenUser, waitFor, waitForMatching,
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

// The server still works for `socket` (a message is acknowledged and delivered) and for
// everyone else (a new connection can talk, the health check answers).
async function stillServing(socket, receiver, receiverSocket) {
  if (socket) {
    assert.equal(socket.connected, true, "still connected");
    const content = `still here ${randomUUID()}`;
    const delivered = waitForMatching(receiverSocket, "receive_message", (m) => m?.content === content);
    await send(socket, receiver.id, content);
    await delivered;
  }
  const fresh = tokenUser("Fresh");
  const s = await clients.connect(fresh.token);
  await send(s, fresh.id, "a new connection works");
  s.disconnect();
  assert.equal((await http(server, "GET", "/healthz")).status, 200);
}

function nested(depth, leaf) {
  let value = leaf;
  for (let i = 0; i < depth; ++i) value = i % 2 ? [value] : { junk: value };
  return value;
}

describe("bad input", { concurrency: true }, () => {
  test("unknown events are ignored; the connection keeps working", async () => {
    const alice = tokenUser("Alice");
    const bob = tokenUser("Bob");
    const [a, b] = await Promise.all([clients.connect(alice.token), clients.connect(bob.token)]);
    for (const event of ["unknown_event", "receive_message", "messages_list", "error", "SEND_MESSAGE", "send_message ", "x".repeat(1000), "ünïcødé"]) {
      a.emit(event, { receiverId: bob.id, content: "should go nowhere" });
      a.emit(event);
      a.emit(event, "string", 1, [2], null, { deep: nested(20, "x") });
      a.emit(event, { receiverId: bob.id, content: "with an ack" }, () => {});
    }
    await stillServing(a, bob, b);
  });

  test("payloads of wrong types and shapes get the precise error, never a crash", async () => {
    const alice = tokenUser("Alice");
    const bob = tokenUser("Bob");
    const [a, b] = await Promise.all([clients.connect(alice.token), clients.connect(bob.token)]);
    const junk = [
      ["Invalid receiverId", [""]],
      ["Invalid receiverId", ["{\"receiverId\":\"" + bob.id + "\",\"content\":\"json in a string\"}"]],
      ["Invalid receiverId", [[{ receiverId: bob.id, content: "in an array" }]]],
      ["Invalid receiverId", [nested(25, bob.id)]],
      ["Invalid receiverId", [{ receiverId: nested(25, bob.id), content: "nested id" }]],
      ["Invalid receiverId", [{ receiverId: "f".repeat(300_000), content: "huge id" }]],
      ["Invalid receiverId", [{ receiverId: 1e308, content: "huge number" }]],
      ["Invalid receiverId", [{ receiverId: 2 ** 64, content: "past 64 bits" }]],
      ["Receiver not found", [{ receiverId: -0, content: "minus zero (sent as the integer 0)" }]],
      ["Invalid receiverId", [{ receiverId: `${bob.id}\u0000`, content: "NUL after the id" }]],
      ["Receiver not found", [{ receiverId: bob.id.replace("-", "\u2010"), content: "a unicode hyphen: another id" }]],
      ["Invalid receiverId", [Buffer.from(JSON.stringify({ receiverId: bob.id, content: "as bytes" }))]],
      ["Message content cannot be empty", [{ receiverId: bob.id, content: Buffer.from("binary content") }]],
      ["Message content cannot be empty", [{ receiverId: bob.id, content: nested(25, "deep") }]],
      ["Message content cannot be empty", [{ receiverId: bob.id, content: 1e308 }]],
      ["Invalid otherUserId", [{ otherUserId: "e".repeat(300_000) }], "get_messages"],
      ["Invalid otherUserId", [{ otherUserId: nested(25, bob.id) }], "get_messages"],
      ["Invalid otherUserId", [Buffer.from([1, 2, 3])], "get_messages"],
    ];
    for (const [message, args, event = "send_message"] of junk) await expectFailure(a, event, args, message);
    // Extra arguments and unknown fields do not matter.
    const content = "with extras";
    const delivered = waitForMatching(b, "receive_message", (m) => m?.content === content);
    const reply = await ack(a, "send_message", { receiverId: bob.id, content, extra: nested(20, 1), __proto__x: 1 }, "more", 42);
    assert.equal(reply.success, true);
    assert.deepEqual(Object.keys(seedFields((await delivered)[0])).sort(),
      ["content", "createdAt", "id", "receiverId", "receiverName", "senderId", "senderName"]);
    await stillServing(a, bob, b);
  });

  test("junk paging values get the error naming the field", async () => {
    const alice = tokenUser("Alice");
    const bob = tokenUser("Bob");
    const [a, b] = await Promise.all([clients.connect(alice.token), clients.connect(bob.token)]);
    await send(a, bob.id, "one message");
    const cases = [
      ...[{ before: "abc" }, { before: -1 }, { before: 0 }, { before: 1.5 }, { before: 2 ** 64 }, { before: 2 ** 80 },
        { before: [1] }].map((extra) => [extra, "Invalid before"]),
      ...[{ limit: 0 }, { limit: -5 }, { limit: 10 ** 9 }, { limit: 2 ** 70 }, { limit: "10" }, { limit: 2.5 },
        { limit: { n: 1 } }].map((extra) => [extra, "Invalid limit (1 to 200)"]),
    ];
    for (const [extra, message] of cases) {
      await expectFailure(a, "get_messages", [{ otherUserId: bob.id, ...extra }], message);
    }
    for (const extra of [{ before: null }, { limit: null }, { before: 2 ** 53 - 1, limit: 1 }, { unknown: 2e20 }]) {
      const listed = waitFor(a, "messages_list");
      assert.deepEqual(await ack(a, "get_messages", { otherUserId: bob.id, ...extra }), { success: true, hasMore: false },
        JSON.stringify(extra));
      assert.deepEqual((await listed)[0].map((m) => m.content), ["one message"]);
    }
    await stillServing(a, bob, b);
  });

  test("lone surrogates (a string cut inside an emoji) become U+FFFD; elsewhere they spoil nothing", async () => {
    const alice = tokenUser("Alice");
    const bob = tokenUser("Bob");
    const [a, b] = await Promise.all([clients.connect(alice.token), clients.connect(bob.token)]);
    const contents = ["\ud800", "a\udfffb", "\udc00\ud800", "cut 😀".slice(0, -1), "\ud83d\ude00 whole"];
    for (const content of contents) {
      const expected = content.toWellFormed();
      const delivered = waitForMatching(b, "receive_message", (m) => m?.content === expected);
      const { messageId } = await send(a, bob.id, content);
      assert.equal((await delivered)[0].id, messageId, JSON.stringify(content));
    }
    const { list } = await history(a, { otherUserId: bob.id });
    assert.deepEqual(list.map((m) => m.content), contents.map((c) => c.toWellFormed()));
    await expectFailure(a, "send_message", [{ receiverId: "\ud800", content: "hi" }], "Invalid receiverId");
    // Unknown fields JSON.parse accepts but a strict parser might not: the message still goes.
    for (const extra of [{ note: "\udbff" }, { big: 2e20 }, { big: -(2 ** 70) }, { [`key\ud800`]: 1 }]) {
      assert.equal((await ack(a, "send_message", { receiverId: bob.id, content: "with odd extras", ...extra })).success,
        true, JSON.stringify(extra));
    }
    await stillServing(a, bob, b);
  });

  test("malformed Socket.IO packets end only the connection that sent them", async () => {
    const alice = tokenUser("Alice");
    const bob = tokenUser("Bob");
    const [a, b] = await Promise.all([clients.connect(alice.token), clients.connect(bob.token)]);
    // What Node's socket.io-parser refuses closes the connection; what it accepts (a numeric
    // event name) is answered or ignored; a packet for a namespace never joined may be either.
    const raw = [
      ["2[\"send_message\",", "closed"],                 // event with truncated JSON
      ["2{\"receiverId\":1}", "closed"],                 // data that is not an array
      ["2[]", "closed"],                                 // no event name
      ["2[null,{}]", "closed"],                          // event name neither string nor number
      ["2[\"disconnect\"]", "closed"],                   // a reserved event name
      ["9[\"x\"]", "closed"],                            // unknown packet type
      ["299999999999999999999[\"get_messages\",{}]", "closed"], // ack id past 2^53
      [`2["send_message",${"[".repeat(100_000)}${"]".repeat(100_000)}]`, "closed"], // deeper than any parser allows
      [`2["send_message",${JSON.stringify(nested(100, 1))}]`, "closed"], // deeper than parley's packet limit
      ["2[42,{}]", "answered"],                          // a numeric event name: an unknown event
      ["2/nowhere,[\"send_message\",{}]", "either"],     // a namespace never joined
    ];
    for (const [packet, expected] of raw) {
      const victim = await clients.connect(alice.token, { transports: ["websocket"] });
      const closed = waitFor(victim, "disconnect");
      victim.io.engine.write(packet);
      // Sent after the bad packet on the same connection: answered only if that one was let pass.
      const answered = ack(victim, "get_messages", { otherUserId: bob.id }).then(() => "answered", () => "no answer");
      const outcome = await Promise.race([closed.then(() => "closed"), answered]);
      if (expected === "either") assert.ok(["closed", "answered"].includes(outcome), `${packet.slice(0, 40)}: ${outcome}`);
      else assert.equal(outcome, expected, packet.slice(0, 40));
      victim.disconnect();
    }
    await stillServing(a, bob, b);
  });

  // A raw Engine.IO polling session of `user`, connected to the main namespace.
  async function pollingSession(user) {
    const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
    const response = await fetch(base, { signal: AbortSignal.timeout(5000) });
    const text = await response.text();
    assert.equal(text[0], "0", text);
    const { sid } = JSON.parse(text.slice(1));
    const url = `${base}&sid=${sid}`;
    const post = async (body) => (await fetch(url, { method: "POST", body, signal: AbortSignal.timeout(5000) })).status;
    const poll = async () => (await fetch(url, { signal: AbortSignal.timeout(5000) })).text();
    assert.equal(await post(`40${JSON.stringify({ token: user.token })}`), 200);
    assert.match(await poll(), /^40/);
    return { base, post, poll };
  }

  test("raw polling requests with junk bodies never take the server down", async () => {
    const alice = tokenUser("Alice");
    const bob = tokenUser("Bob");
    const [a, b] = await Promise.all([clients.connect(alice.token), clients.connect(bob.token)]);
    for (const body of [
      Buffer.from([0xff, 0xfe, 0xfd]),
      Buffer.concat([Buffer.from(`42["send_message",{"receiverId":"${bob.id}","content":"`), Buffer.from([0xff, 0xc3, 0x28]), Buffer.from('"}]')]),
      "",
      "\u001e\u001e\u001e",
      "4",
      "42",
      "42[",
      "6\u001e6\u001e42[\"send_message\",{}]",
      "b" + "A".repeat(1000),
      "x".repeat(100_000),
    ]) {
      const session = await pollingSession(alice);
      const code = await session.post(body);
      assert.ok(code < 500, `status ${code} for ${String(body).slice(0, 20)}`);
    }
    const { base } = await pollingSession(alice);
    // Requests with no or a bogus session, or another protocol.
    assert.ok((await fetch(`${base}&sid=nonexistent`)).status < 500);
    assert.ok((await fetch(`${base}&sid=nonexistent`, { method: "POST", body: "42[]" })).status < 500);
    assert.ok((await fetch(`${server.url}/socket.io/?EIO=3&transport=polling`)).status < 500);
    assert.ok((await fetch(`${server.url}/socket.io/?transport=nonsense`)).status < 500);
    await stillServing(a, bob, b);
  });

  // Over polling the protocol allows keeping the session: like Node's server, the Engine.IO
  // layer reads the body as UTF-8 with U+FFFD for invalid bytes, and the event is handled.
  test("invalid UTF-8 inside an event sent over polling: that session goes on", {
    timeout: 10000,
  }, async () => {
    const alice = tokenUser("Alice");
    const bob = tokenUser("Bob");
    await clients.connect(bob.token);
    const session = await pollingSession(alice);
    const bad = Buffer.concat([
      Buffer.from(`421["send_message",{"receiverId":"${bob.id}","content":"`),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
      Buffer.from('"}]'),
    ]);
    assert.equal(await session.post(bad), 200);
    assert.equal(await session.post(`422["get_messages",{"otherUserId":"${bob.id}"}]`), 200);
    let received = "";
    while (!received.includes("432[")) {
      const text = await session.poll();
      assert.doesNotMatch(text, /^1$|"Session ID unknown"/, "the session was closed");
      received += text;
    }
  });

  test("a message larger than the transport allows closes that connection only", async () => {
    const alice = tokenUser("Alice");
    const bob = tokenUser("Bob");
    const [a, b] = await Promise.all([clients.connect(alice.token), clients.connect(bob.token)]);
    const big = await clients.connect(alice.token, { transports: ["websocket"] });
    const closed = waitFor(big, "disconnect");
    big.emit("send_message", { receiverId: bob.id, content: "z".repeat(2_000_000) });
    await closed;
    await stillServing(a, bob, b);
  });
});
