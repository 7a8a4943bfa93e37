// A token that expires during the connection ends it at the token's `exp`, idle or not: the
// client gets `error {message: "Unauthorized", code: "UNAUTHORIZED"}`, then `disconnect` ("io
// server disconnect"), as with a bad token at connect, and nothing after that (the seed checked
// expiry only at the socket's next event, so an idle socket went on receiving for ever).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Clients, mintToken, nowSeconds, record, send, startParley, tokenUser, waitFor, waitForMatching } from "./helpers.mjs";

let server;
let clients;
before(async () => {
  // Tokens without exp are refused by default; this file also checks that they never expire.
  server = await startParley({ args: ["--allow-tokens-without-exp"] });
  clients = new Clients(server);
});
after(async () => {
  clients?.closeAll();
  await server?.stop();
});

// A token of `user` that expires `seconds` from now (whole seconds, as JWTs have them).
function expiringToken(user, seconds) {
  const exp = nowSeconds() + seconds;
  return { exp, token: mintToken({ sub: user.id, name: user.name, iat: nowSeconds(), exp }) };
}

// Resolves with what `socket` saw from now until its disconnect: [event, payload] pairs, and when.
function untilDisconnect(socket, ms) {
  const seen = [];
  socket.on("error", (payload) => seen.push(["error", payload]));
  socket.on("receive_message", (m) => seen.push(["receive_message", m.content]));
  return waitFor(socket, "disconnect", ms).then(([reason]) => {
    seen.push(["disconnect", reason]);
    return { seen, at: Date.now() };
  });
}

describe("token expiry", { concurrency: true }, () => {
  test("idle sockets (polling and WebSocket) are told Unauthorized and dropped at exp; nothing reaches them after", async () => {
    const bob = tokenUser("Bob");
    const brief = tokenUser("Brief");
    const b = await clients.connect(bob.token);
    const { exp, token } = expiringToken(brief, 2);
    const [polling, websocket] = await Promise.all([
      clients.connect(token, { transports: ["polling"] }), clients.connect(token, { transports: ["websocket"] }),
    ]);
    const ends = [polling, websocket].map((s) => untilDisconnect(s, (exp + 5) * 1000 - Date.now()));
    // A message while the token is valid arrives; the sockets then stay idle until exp.
    const early = Promise.all([polling, websocket].map((s) =>
      waitForMatching(s, "receive_message", (m) => m?.content === "before exp")));
    await send(b, brief.id, "before exp");
    await early;
    for (const { seen, at } of await Promise.all(ends)) {
      assert.deepEqual(seen, [
        ["receive_message", "before exp"],
        ["error", { message: "Unauthorized", code: "UNAUTHORIZED" }],
        ["disconnect", "io server disconnect"],
      ]);
      assert.ok(at >= exp * 1000 - 50, `dropped ${exp * 1000 - at} ms before exp`);
      assert.ok(at <= exp * 1000 + 1500, `dropped ${at - exp * 1000} ms after exp`);
    }
    // A new connection with a valid token of the same user works, and gets what is sent now.
    const fresh = await clients.connect(brief.token);
    const later = waitForMatching(fresh, "receive_message", (m) => m?.content === "after exp");
    await send(b, brief.id, "after exp");
    await later;
  });

  test("sockets expire in the order of their tokens' exp, whatever the order they connected in", async () => {
    const users = [tokenUser("Late"), tokenUser("Early"), tokenUser("Middle")];
    const lifetimes = [4, 2, 3];
    const tokens = users.map((u, i) => expiringToken(u, lifetimes[i]));
    const forever = await clients.connect(tokenUser("No exp", { exp: undefined }).token);
    const order = [];
    const ends = [];
    // One after the other: each new one has an earlier deadline than the last (but the first).
    for (const [i, { token }] of tokens.entries()) {
      const socket = await clients.connect(token);
      ends.push(waitFor(socket, "disconnect", 10000).then(() => order.push(users[i].name)));
    }
    await Promise.all(ends);
    // All three are gone by now; their order follows exp.
    assert.deepEqual(order, [users[1].name, users[2].name, users[0].name]);
    assert.equal(forever.connected, true, "a token without exp keeps its connection");
  });

  test("a socket sending all along is dropped at exp too, its last events refused", async () => {
    const bob = tokenUser("Bob");
    const busy = tokenUser("Busy");
    const b = await clients.connect(bob.token);
    const received = record(b, "receive_message").seen;
    const { exp, token } = expiringToken(busy, 2);
    const s = await clients.connect(token, { transports: ["websocket"] });
    const end = untilDisconnect(s, 8000);
    let sent = 0;
    const acked = [];
    const sentAt = new Map();
    const timer = setInterval(() => {
      if (!s.connected) return;
      sent++;
      const content = `busy ${sent}`;
      sentAt.set(content, Date.now());
      s.emit("send_message", { receiverId: bob.id, content }, (reply) => acked.push({ content, reply }));
    }, 100);
    const { seen, at } = await end;
    clearInterval(timer);
    assert.deepEqual(seen.slice(-2).map(([event]) => event), ["error", "disconnect"]);
    assert.deepEqual(seen.at(-2)[1].code, "UNAUTHORIZED");
    assert.ok(at >= exp * 1000 - 50 && at <= exp * 1000 + 1500, `dropped ${at - exp * 1000} ms from exp`);
    // What was acknowledged arrived; nothing after exp did.
    const marker = waitForMatching(b, "receive_message", (m) => m?.content === "marker");
    await send(b, bob.id, "marker");
    await marker;
    const successes = acked.filter(({ reply }) => reply?.success).map(({ content }) => content);
    assert.ok(successes.length >= 5, `${successes.length} sends acknowledged before exp`);
    const arrived = received.filter((m) => m.content.startsWith("busy ")).map((m) => m.content);
    // Every acknowledged send arrived. One in flight when the connection ended may have been
    // stored and delivered with its ack lost: it was sent before the end, never after.
    for (const content of successes) assert.ok(arrived.includes(content), `${content} acknowledged but not delivered`);
    for (const content of arrived) assert.ok(sentAt.get(content) < at, `${content} was sent after the end`);
    assert.ok(arrived.length <= successes.length + 1, `${arrived.length} arrived, ${successes.length} acknowledged`);
  });
});
