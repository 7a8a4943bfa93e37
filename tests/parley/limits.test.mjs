// What one socket may ask of the server at once: a bounded number of history reads in flight
// (beyond: RATE_LIMITED with retryAfterMs), which keeps one polling POST full of get_messages
// from taking the server's memory.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";

import { Clients, send, startParley, tokenUser } from "./helpers.mjs";

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

describe("history reads in flight", () => {
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
