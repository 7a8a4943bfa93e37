// PostgreSQL stopped and started again under a running parley: while the database is down,
// sends are refused cleanly (never a false success) and /readyz says 503; when it is back,
// service resumes by itself, and a user whose creation failed meanwhile is created by its first
// send. Needs its own PostgreSQL server (stopping the one the other tests
// share would break them), started with scripts/pg-test-server.sh; CTest runs this file alone
// (test `parley-e2e-postgres-outage`), which is why it is not named *.test.mjs.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

import { Clients, http, startParley, tokenUser, waitFor } from "./helpers.mjs";

const script = resolve(dirname(fileURLToPath(import.meta.url)), "../../scripts/pg-test-server.sh");
const pgDir = mkdtempSync(join(tmpdir(), "parley-pg-outage-"));
const pg = (command) => execFileSync("bash", [script, command, pgDir], { encoding: "utf8" }).trim();

let server;
let clients;

before(async () => {
  const url = pg("start").split("\n").pop();
  server = await startParley({ database: { url, dir: undefined, remove() {} } });
  clients = new Clients(server);
});

after(async () => {
  clients?.closeAll();
  await server?.stop();
  pg("stop");
  rmSync(pgDir, { recursive: true, force: true });
});

// Polls `probe` until it returns true, at most `ms`.
async function eventually(probe, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("sends fail cleanly while PostgreSQL is down and succeed once it is back", { timeout: 60000 }, async () => {
  const alice = tokenUser("Alice");
  const bob = tokenUser("Bob");
  const a = await clients.connect(alice.token);
  const b = await clients.connect(bob.token);

  const first = await a.timeout(5000).emitWithAck("send_message", { receiverId: bob.id, content: "before" });
  assert.equal(first.success, true);
  assert.equal((await http(server, "GET", "/readyz")).status, 200);

  pg("stop");
  await eventually(async () => (await http(server, "GET", "/readyz")).status === 503, 10000,
    "/readyz did not report 503 while the database was down");
  const errorEvent = waitFor(a, "error", 10000);
  const refused = await a.timeout(10000).emitWithAck("send_message", { receiverId: bob.id, content: "while down" });
  assert.deepEqual(refused, { success: false, error: "Failed to send message", code: "UNAVAILABLE" });
  assert.deepEqual((await errorEvent)[0], { message: "Failed to send message", code: "UNAVAILABLE", event: "send_message" });
  assert.equal(a.connected, true, "the socket stays connected");

  // A real outage lasts: long enough for every connection's reconnection backoff to reach its
  // ceiling (2 s), which is when a link that is not asked to reconnect would lag behind.
  for (let i = 0; i < 6; i++) {
    await new Promise((r) => setTimeout(r, 500));
    await http(server, "GET", "/readyz");  // keeps the readers trying, and failing
  }
  pg("start");
  await eventually(async () => (await http(server, "GET", "/readyz")).status === 200, 15000,
    "/readyz did not come back to 200 after the database restarted");
  const received = waitFor(b, "receive_message", 10000);
  const again = await a.timeout(10000).emitWithAck("send_message", { receiverId: bob.id, content: "after" });
  assert.equal(again.success, true);
  assert.equal((await received)[0].content, "after");

  // Nothing refused was stored; everything acknowledged was. Several reads at once, so that every
  // reader connection serves one: each must be back, not only the one /readyz asked.
  const failures = [];
  a.on("error", (e) => failures.push(e));
  const lists = [];
  for (const who of [a, b, a, b]) {
    lists.push(waitFor(who, "messages_list", 5000));
    who.emit("get_messages", { otherUserId: who === a ? bob.id : alice.id });
  }
  for (const list of lists) assert.deepEqual((await list)[0].map((m) => m.content), ["before", "after"]);
  assert.deepEqual(failures, []);
});

test("a user whose creation failed at connect (PostgreSQL down) is created by its first send", { timeout: 60000 }, async () => {
  const bob = tokenUser("Bob");
  const b = await clients.connect(bob.token);
  pg("stop");
  await eventually(async () => (await http(server, "GET", "/readyz")).status === 503, 10000,
    "/readyz did not report 503 while the database was down");
  // Not the client's fault: it connects, though its user could not be stored.
  const newcomer = tokenUser("Newcomer");
  const n = await clients.connect(newcomer.token, { transports: ["websocket"] });
  pg("start");
  await eventually(async () => (await http(server, "GET", "/readyz")).status === 200, 15000,
    "/readyz did not come back to 200 after the database restarted");
  const received = waitFor(b, "receive_message", 10000);
  const reply = await n.timeout(10000).emitWithAck("send_message", { receiverId: bob.id, content: "hello, I am new" });
  assert.equal(reply.success, true, JSON.stringify(reply));
  const [m] = await received;
  assert.deepEqual([m.senderId, m.senderName, m.content], [newcomer.id, newcomer.name, "hello, I am new"]);
  // And the others can write to it now.
  const back = waitFor(n, "receive_message", 10000);
  assert.equal((await b.timeout(10000).emitWithAck("send_message", { receiverId: newcomer.id, content: "welcome" })).success, true);
  assert.equal((await back)[0].content, "welcome");
});

// Every conversation event, refused while the database is down: the client's own answer and
// error event say UNAVAILABLE with the event's sentence; nothing refused was stored; and the same
// requests succeed once it is back.
test("conversation events answer UNAVAILABLE while PostgreSQL is down, and work once it is back", { timeout: 90000 }, async () => {
  const ann = tokenUser("Ann");
  const ben = tokenUser("Ben");
  const a = await clients.connect(ann.token);
  const b = await clients.connect(ben.token);
  const made = await a.timeout(5000).emitWithAck("create_conversation", { title: "Before", memberIds: [ben.id] });
  assert.equal(made.success, true, JSON.stringify(made));
  const id = made.conversation.id;
  const sent = await a.timeout(5000).emitWithAck("send_message", { conversationId: id, content: "before" });
  assert.equal(sent.success, true, JSON.stringify(sent));

  pg("stop");
  await eventually(async () => (await http(server, "GET", "/readyz")).status === 503, 10000,
    "/readyz did not report 503 while the database was down");
  const requests = [
    ["create_conversation", { title: "While down", memberIds: [ben.id] }, "Failed to create the conversation"],
    ["send_message", { conversationId: id, content: "while down" }, "Failed to send message"],
    ["get_messages", { conversationId: id }, "Failed to load messages"],
    ["list_conversations", {}, "Failed to load conversations"],
    ["get_conversation", { conversationId: id }, "Failed to load the conversation"],
    ["update_conversation", { conversationId: id, title: "Renamed while down" }, "Failed to change the conversation"],
    ["mark_read", { conversationId: id, seq: 2 }, "Failed to store the marker"],
    ["get_receipts", { conversationId: id }, "Failed to load receipts"],
  ];
  for (const [event, payload, sentence] of requests) {
    const errorEvent = waitFor(a, "error", 15000);
    const reply = await a.timeout(15000).emitWithAck(event, payload);
    assert.deepEqual(reply, { success: false, error: sentence, code: "UNAVAILABLE" }, event);
    assert.deepEqual((await errorEvent)[0], { message: sentence, code: "UNAVAILABLE", event }, event);
  }
  assert.equal(a.connected, true, "the socket stays connected");

  pg("start");
  await eventually(async () => (await http(server, "GET", "/readyz")).status === 200, 15000,
    "/readyz did not come back to 200 after the database restarted");
  // Nothing refused was stored: one conversation, titled as before, with the one message.
  const list = await a.timeout(10000).emitWithAck("list_conversations", {});
  assert.equal(list.success, true, JSON.stringify(list));
  const groups = list.conversations.filter((c) => c.kind === "group");
  assert.deepEqual(groups.map((c) => [c.id, c.title]), [[id, "Before"]]);
  assert.equal(groups[0].lastSeq, 2);
  const received = waitFor(b, "receive_message", 10000);
  const again = await a.timeout(10000).emitWithAck("send_message", { conversationId: id, content: "after" });
  assert.equal(again.success, true, JSON.stringify(again));
  assert.equal(again.seq, 3, "no seq was taken by a refused send");
  assert.equal((await received)[0].content, "after");
  const marked = await b.timeout(10000).emitWithAck("mark_read", { conversationId: id, seq: 3 });
  assert.equal(marked.success, true, JSON.stringify(marked));
});
