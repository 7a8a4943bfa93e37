// What one user or one address may ask of the server: per-user and per-address rate limits on
// send_message and get_messages (RATE_LIMITED with retryAfterMs, in the ack and the error
// event; a socket that ignores it is disconnected), and a bounded number of history reads in flight per socket, which keeps one polling
// POST full of get_messages from taking the server's memory.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";

import { Clients, ack, history, record, send, startParley, tokenUser, waitFor, waitForMatching } from "./helpers.mjs";

// Expects `event` to be refused with RATE_LIMITED, both ways; resolves with its retryAfterMs.
async function expectRateLimited(socket, event, payload) {
  const errorEvent = waitFor(socket, "error");
  const reply = await ack(socket, event, payload);
  assert.equal(reply.success, false, JSON.stringify(reply));
  assert.deepEqual({ ...reply, retryAfterMs: 0 }, { success: false, error: "Too many requests", code: "RATE_LIMITED", retryAfterMs: 0 });
  assert.ok(Number.isInteger(reply.retryAfterMs) && reply.retryAfterMs > 0, `retryAfterMs ${reply.retryAfterMs}`);
  const [error] = await errorEvent;
  assert.deepEqual({ ...error, retryAfterMs: 0 }, { message: "Too many requests", code: "RATE_LIMITED", event, retryAfterMs: 0 });
  return reply.retryAfterMs;
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

describe("per-user limits (--send-rate-per-user 5/5s --history-rate-per-user 3/3s)", { concurrency: true }, () => {
  let server;
  let clients;
  before(async () => {
    server = await startParley({ args: ["--send-rate-per-user", "5/5s", "--history-rate-per-user", "3/3s"] });
    clients = new Clients(server);
  });
  after(async () => {
    clients?.closeAll();
    await server?.stop();
  });

  test("a burst of 5 sends passes, the 6th waits retryAfterMs; all the user's sockets share it; others are not affected", async () => {
    const alice = tokenUser("Alice");
    const bob = tokenUser("Bob");
    const [a1, a2, b] = await Promise.all([clients.connect(alice.token), clients.connect(alice.token), clients.connect(bob.token)]);
    for (let i = 0; i < 5; ++i) await send(i % 2 ? a2 : a1, bob.id, `burst ${i}`);
    const wait = await expectRateLimited(a1, "send_message", { receiverId: bob.id, content: "one too many" });
    assert.ok(wait <= 1000, `retryAfterMs ${wait} for 1 message/s`);
    await expectRateLimited(a2, "send_message", { receiverId: bob.id, content: "from the other socket" });
    // Reconnecting buys no new burst.
    a1.disconnect();
    a2.disconnect();
    const a3 = await clients.connect(alice.token);
    await expectRateLimited(a3, "send_message", { receiverId: bob.id, content: "after reconnecting" });
    // Bob has his own allowance.
    await send(b, alice.id, "Bob is not limited by Alice");
    const later = await expectRateLimited(a3, "send_message", { receiverId: bob.id, content: "still too soon" });
    await sleep(later);
    await send(a3, bob.id, "after waiting retryAfterMs");
    const { list } = await history(b, { otherUserId: alice.id });
    assert.deepEqual(list.map((m) => m.content),
      ["burst 0", "burst 1", "burst 2", "burst 3", "burst 4", "Bob is not limited by Alice", "after waiting retryAfterMs"],
      "nothing refused was stored");
  });

  test("a socket that keeps sending regardless of retryAfterMs is disconnected; the user's other sockets are not", async () => {
    const eve = tokenUser("Eve");
    const fay = tokenUser("Fay");
    const [e1, e2] = await Promise.all([clients.connect(eve.token, { transports: ["websocket"] }), clients.connect(eve.token)]);
    const f = await clients.connect(fay.token);
    const codes = [];
    const errors = record(e1, "error").seen;
    // The burst's last message reaching Fay: all five are stored (the disconnect may come
    // before they are committed, and before their acks).
    const lastOfBurst = waitForMatching(f, "receive_message", (m) => m?.content === "flood 4");
    const dropped = waitFor(e1, "disconnect");
    // 5 pass (the burst), then refusal after refusal: at most 100 (a burst of refusals) and
    // the few that 10 a second add while they arrive.
    for (let i = 0; i < 300; ++i) e1.emit("send_message", { receiverId: fay.id, content: `flood ${i}` }, (r) => codes.push(r?.code ?? "ok"));
    assert.equal((await dropped)[0], "io server disconnect");
    const refused = codes.filter((c) => c === "RATE_LIMITED").length;
    // (The acks of the 5 come after their commit: the disconnect may overtake them.)
    assert.ok(codes.filter((c) => c === "ok").length <= 5);
    assert.ok(refused >= 100 && refused < 150, `${refused} refusals before the disconnect`);
    assert.deepEqual(errors.at(-1), { message: "Too many requests", code: "RATE_LIMITED", retryAfterMs: errors.at(-1).retryAfterMs });
    assert.equal(e2.connected, true, "the user's other socket stays");
    await lastOfBurst;
    assert.deepEqual((await history(f, { otherUserId: eve.id })).list.map((m) => m.content),
      ["flood 0", "flood 1", "flood 2", "flood 3", "flood 4"], "the burst was stored, nothing more");
  });

  test("get_messages: a burst of 3, then RATE_LIMITED and no messages_list", async () => {
    const carol = tokenUser("Carol");
    const dan = tokenUser("Dan");
    const [c] = await Promise.all([clients.connect(carol.token), clients.connect(dan.token)]);
    for (let i = 0; i < 3; ++i) await history(c, { otherUserId: dan.id });
    let listed = 0;
    c.on("messages_list", () => listed++);
    await expectRateLimited(c, "get_messages", { otherUserId: dan.id });
    // Sends have their own bucket.
    await send(c, dan.id, "sending still works");
    assert.equal(listed, 0);
  });
});

describe("per-address limits (--trusted-proxies 127.0.0.1 --send-rate-per-address 3/3s)", () => {
  let server;
  let clients;
  before(async () => {
    server = await startParley({ args: ["--trusted-proxies", "127.0.0.1", "--send-rate-per-address", "3/3s"] });
    clients = new Clients(server);
  });
  after(async () => {
    clients?.closeAll();
    await server?.stop();
  });

  test("users behind one address share its allowance; another address and loopback clients do not", async () => {
    const from = (address) => ({ transports: ["websocket"], extraHeaders: { "x-forwarded-for": address } });
    const [u1, u2, u3, local, target] = ["One", "Two", "Three", "Local", "Target"].map((label) => tokenUser(label));
    const [s1, s2, s3, sl] = await Promise.all([
      clients.connect(u1.token, from("203.0.113.7")), clients.connect(u2.token, from("203.0.113.7")),
      clients.connect(u3.token, from("198.51.100.9")), clients.connect(local.token),
      clients.connect(target.token),
    ]);
    await send(s1, target.id, "1 from 203.0.113.7");
    await send(s2, target.id, "2 from 203.0.113.7");
    await send(s1, target.id, "3 from 203.0.113.7");
    await expectRateLimited(s2, "send_message", { receiverId: target.id, content: "4 from 203.0.113.7" });
    await send(s3, target.id, "from 198.51.100.9");
    // Loopback is exempt (a reverse proxy on this machine not declared in TRUSTED_PROXIES
    // would make every client one address).
    for (let i = 0; i < 6; ++i) await send(sl, target.id, `local ${i}`);
  });
});

describe("history reads in flight", () => {
  let server;
  let clients;
  before(async () => {
    server = await startParley({ args: ["--send-rate-per-user", "0"] });
    clients = new Clients(server);
  });
  after(async () => {
    clients?.closeAll();
    await server?.stop();
  });

  const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]);

  test("one polling POST of 40 get_messages: at most 4 are read at once, the others RATE_LIMITED; memory stays put", {
    timeout: 120000,
  }, async () => {
    const alice = tokenUser("Alice");
    const bob = tokenUser("Bob");
    const [a] = await Promise.all([clients.connect(alice.token, { transports: ["websocket"] }), clients.connect(bob.token)]);
    // A conversation of 3,000 messages, 100 sends in flight at a time.
    let next = 0;
    const sender = async () => {
      while (next < 3000) await send(a, bob.id, `message ${next++} ${"x".repeat(100)}`);
    };
    await Promise.all(Array.from({ length: 100 }, sender));

    // A raw polling session of Alice's, then the POST, left unread for a second (an attacker
    // need not read what it asked for).
    const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
    const { sid } = JSON.parse((await (await fetch(base)).text()).slice(1));
    const url = `${base}&sid=${sid}`;
    await fetch(url, { method: "POST", body: `40${JSON.stringify({ token: alice.token })}` });
    assert.match(await (await fetch(url)).text(), /^40/);
    const pid = server.child.pid;
    const before = rssKiB(pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssKiB(pid))), 10);
    const request = `421${JSON.stringify(["get_messages", { otherUserId: bob.id }])}`;
    const body = Array.from({ length: 40 }, (_, i) => request.replace("421", `42${i}`)).join("\x1e");
    await fetch(url, { method: "POST", body });
    await sleep(1000);
    const lists = [];
    const acks = new Map();
    while (acks.size < 40) {
      for (const packet of (await (await fetch(url, { signal: AbortSignal.timeout(10000) })).text()).split("\x1e")) {
        if (packet.startsWith('42["messages_list"')) lists.push(JSON.parse(packet.slice(2))[1]);
        const ackMatch = /^43(\d+)(\[.*)$/s.exec(packet);
        if (ackMatch) acks.set(Number(ackMatch[1]), JSON.parse(ackMatch[2])[0]);
      }
    }
    clearInterval(sampler);
    const answered = [...acks.values()].filter((r) => r.success);
    const refused = [...acks.values()].filter((r) => !r.success);
    assert.equal(answered.length, 4, "four reads in flight");
    assert.equal(lists.length, 4);
    for (const list of lists) assert.equal(list.length, 100, "each the newest page of 100");
    for (const r of refused) assert.deepEqual(r, { success: false, error: "Too many requests", code: "RATE_LIMITED", retryAfterMs: 100 });
    // Before the fix: 40 answers of 3,000 messages each, ~110 MB more RSS.
    assert.ok(peak - before < 40 * 1024, `RSS grew by ${((peak - before) / 1024).toFixed(1)} MiB`);
  });
});
