// Typing indicators (docs/api.md "Live signals"), over the wire with the official client: the
// full list of who is typing pushed to the other members only, its end on a send, on
// `isTyping: false`, on expiry (TYPING_TIMEOUT), when the typist's last socket closes and when
// it leaves; the errors; a flood of `typing` that costs the others nothing.
// Two servers: the expiry test's with a 2 s TYPING_TIMEOUT, the others' with 30 s, so that a
// slow moment of a loaded machine (a sanitizer build beside a busy database) never ends a state
// by its timeout where a test means another cause to end it.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { after, before, describe, test } from "node:test";

import { Clients, ack, group, ok, peopleOf, record, refused, startParley, waitFor, waitForMatching } from "./helpers.mjs";

const TIMEOUT_MS = 2000;  // the expiry test's server
const LONG_TIMEOUT_MS = 30000;  // the others'
let server;
let clients;
let expiring;
before(async () => {
  [server, expiring] = await Promise.all([
    startParley({ args: ["--typing-timeout", `${LONG_TIMEOUT_MS / 1000}s`] }),
    startParley({ args: ["--typing-timeout", `${TIMEOUT_MS / 1000}s`] }),
  ]);
  clients = new Clients(server);
  expiring = { server: expiring, clients: new Clients(expiring) };
});
after(async () => {
  clients.closeAll();
  expiring.clients.closeAll();
  await Promise.all([server.stop(), expiring.server.stop()]);
});
const people = (...labels) => peopleOf(clients, ...labels);

// The next typing_update of `socket` for `conversationId` whose list is `userIds` (any order).
function listIs(socket, conversationId, userIds, ms = 5000) {
  const wanted = [...userIds].sort();
  return waitForMatching(socket, "typing_update",
    (u) => u.conversationId === conversationId && JSON.stringify([...u.userIds].sort()) === JSON.stringify(wanted), ms);
}

describe("typing", () => {
  test("the other members get the full list; the typist and non-members get nothing", async () => {
    const [ann, ben, cid, stranger] = await people("Ann", "Ben", "Cid", "Stranger");
    const team = await group(ann, [ben, cid]);
    const annHeard = record(ann.socket, "typing_update").seen;
    const strangerHeard = record(stranger.socket, "typing_update").seen;
    const benSeesAnn = waitFor(ben.socket, "typing_update");
    const cidSeesAnn = waitFor(cid.socket, "typing_update");
    assert.deepEqual(await ack(ann.socket, "typing", { conversationId: team.id, isTyping: true }), { success: true });
    assert.deepEqual((await benSeesAnn)[0], { conversationId: team.id, userIds: [ann.id] });
    assert.deepEqual((await cidSeesAnn)[0], { conversationId: team.id, userIds: [ann.id] });

    const cidSeesBoth = listIs(cid.socket, team.id, [ann.id, ben.id]);
    const annSeesBen = listIs(ann.socket, team.id, [ann.id, ben.id]);
    await ok(ben.socket, "typing", { conversationId: team.id, isTyping: true });
    await cidSeesBoth;
    await annSeesBen;

    // A refresh changes nothing anyone sees; a stop does.
    const cidHeard = record(cid.socket, "typing_update").seen;
    await ok(ann.socket, "typing", { conversationId: team.id, isTyping: true });
    const cidSeesBen = listIs(cid.socket, team.id, [ben.id]);
    await ok(ann.socket, "typing", { conversationId: team.id, isTyping: false });
    await cidSeesBen;
    assert.equal(cidHeard.length, 1, `one list after the refresh and the stop: ${JSON.stringify(cidHeard)}`);
    // Stopping when not typing: success, nothing pushed.
    await ok(ann.socket, "typing", { conversationId: team.id, isTyping: false });
    const cidSeesNobody = listIs(cid.socket, team.id, []);
    await ok(ben.socket, "typing", { conversationId: team.id, isTyping: false });
    await cidSeesNobody;
    assert.equal(annHeard.filter((u) => u.userIds.length === 1 && u.userIds[0] === ann.id).length, 0,
      "the typist is never told about its own typing alone");
    assert.deepEqual(strangerHeard, []);
  });

  test("a message ends its sender's typing, after the message arrives", async () => {
    const [ann, ben] = await people("Ann", "Ben");
    const sent = await ok(ann.socket, "send_message", { receiverId: ben.id, content: "hello" });
    const direct = sent.conversationId;
    const typing = listIs(ben.socket, direct, [ann.id]);
    await ok(ann.socket, "typing", { conversationId: direct, isTyping: true });
    await typing;
    const order = [];
    ben.socket.on("receive_message", () => order.push("message"));
    ben.socket.on("typing_update", (u) => order.push(u.userIds.length ? "typing" : "stopped"));
    const stopped = listIs(ben.socket, direct, []);
    await ok(ann.socket, "send_message", { conversationId: direct, content: "there" });
    await stopped;
    assert.deepEqual(order, ["message", "stopped"]);
  });

  test("a state expires TYPING_TIMEOUT after its last isTyping: true", async () => {
    const [ann, ben] = await peopleOf(expiring.clients, "Ann", "Ben");
    const team = await group(ann, [ben]);
    const started = listIs(ben.socket, team.id, [ann.id]);
    await ok(ann.socket, "typing", { conversationId: team.id, isTyping: true });
    await started;
    const benHeard = record(ben.socket, "typing_update").seen;
    await new Promise((done) => setTimeout(done, TIMEOUT_MS / 2));
    const refreshed = Date.now();
    await ok(ann.socket, "typing", { conversationId: team.id, isTyping: true });  // pushes the end back
    await listIs(ben.socket, team.id, [], TIMEOUT_MS * 3);
    const ended = Date.now();
    // Measured from the refresh (the last `true`): not from the start, and not much later.
    assert.ok(ended - refreshed >= TIMEOUT_MS - 50, `ended ${ended - refreshed} ms after the refresh`);
    assert.ok(ended - refreshed < TIMEOUT_MS * 2, `ended ${ended - refreshed} ms after the refresh`);
    assert.deepEqual(benHeard, [{ conversationId: team.id, userIds: [] }], "the refresh itself changed nothing Ben saw");
  });

  test("the typist's last socket closing ends it at once; another of its sockets closing does not", async () => {
    const [ann, ben] = await people("Ann", "Ben");
    const phone = await clients.connect(ann.token);
    const team = await group(ann, [ben]);
    const started = listIs(ben.socket, team.id, [ann.id]);
    await ok(ann.socket, "typing", { conversationId: team.id, isTyping: true });
    await started;
    const benHeard = record(ben.socket, "typing_update").seen;
    phone.disconnect();
    await new Promise((done) => setTimeout(done, 300));
    assert.deepEqual(benHeard, [], "still typing on its other socket");
    const stopped = listIs(ben.socket, team.id, []);
    const closed = Date.now();
    ann.socket.disconnect();
    await stopped;
    assert.ok(Date.now() - closed < LONG_TIMEOUT_MS / 2, "ended by the close, not by the timeout");
  });

  test("a killed client (its process gone, no disconnect sent) leaves no indicator stuck", async () => {
    const [ann, ben] = await people("Ann", "Ben");
    const team = await group(ann, [ben]);
    const started = listIs(ben.socket, team.id, [ann.id]);
    // Ann's laptop: another process, with her only socket, typing; then killed (SIGKILL: the
    // kernel closes its TCP connection, the client says nothing).
    const laptop = spawn(process.execPath, ["--input-type=module", "-e", `
      import { io } from "socket.io-client";
      const socket = io(${JSON.stringify(server.url)}, { auth: { token: ${JSON.stringify(ann.token)} }, transports: ["websocket"] });
      socket.on("connect", async () => {
        const reply = await socket.emitWithAck("typing", { conversationId: ${team.id}, isTyping: true });
        console.log(JSON.stringify(reply));
      });`], { cwd: import.meta.dirname, stdio: ["ignore", "pipe", "inherit"] });
    const [line] = await once(createInterface({ input: laptop.stdout }), "line");
    assert.deepEqual(JSON.parse(line), { success: true });
    await started;
    // Ann's test socket goes first (nothing changes: the laptop still types), so that the
    // laptop's is her last.
    const benHeard = record(ben.socket, "typing_update").seen;
    ann.socket.disconnect();
    await new Promise((done) => setTimeout(done, 300));
    assert.deepEqual(benHeard, [], "still typing on the laptop");
    const stopped = listIs(ben.socket, team.id, []);
    const killed = Date.now();
    laptop.kill("SIGKILL");
    await stopped;
    assert.ok(Date.now() - killed < LONG_TIMEOUT_MS / 2, "ended by the connection's end, not by the timeout");
  });

  test("a typist who leaves or is removed stops, and hears no more lists", async () => {
    const [ann, ben, cid] = await people("Ann", "Ben", "Cid");
    const team = await group(ann, [ben, cid]);
    const both = listIs(ann.socket, team.id, [ben.id, cid.id]);
    await ok(ben.socket, "typing", { conversationId: team.id, isTyping: true });
    await ok(cid.socket, "typing", { conversationId: team.id, isTyping: true });
    await both;
    const benGone = listIs(ann.socket, team.id, [cid.id]);
    await ok(ann.socket, "remove_member", { conversationId: team.id, userId: ben.id });
    await benGone;
    const benHeard = record(ben.socket, "typing_update").seen;
    const cidGone = listIs(ann.socket, team.id, []);
    await ok(cid.socket, "leave_conversation", { conversationId: team.id });
    await cidGone;
    await ok(ann.socket, "typing", { conversationId: team.id, isTyping: true });
    await ok(ann.socket, "typing", { conversationId: team.id, isTyping: false });
    await new Promise((done) => setTimeout(done, 200));
    assert.deepEqual(benHeard, [], "a removed member hears nothing more");
    await refused(ben.socket, "typing", { conversationId: team.id, isTyping: true }, "FORBIDDEN");
  });

  test("errors: not a member, unknown conversation, malformed arguments", async () => {
    const [ann, ben, stranger] = await people("Ann", "Ben", "Stranger");
    const team = await group(ann, [ben]);
    const benHeard = record(ben.socket, "typing_update").seen;
    await refused(stranger.socket, "typing", { conversationId: team.id, isTyping: true }, "FORBIDDEN");
    await refused(stranger.socket, "typing", { conversationId: 987654321987, isTyping: true }, "FORBIDDEN");
    await refused(ann.socket, "typing", { conversationId: team.id }, "INVALID_ARGUMENT", "Invalid isTyping: expected true or false");
    await refused(ann.socket, "typing", { conversationId: team.id, isTyping: "yes" }, "INVALID_ARGUMENT");
    await refused(ann.socket, "typing", { conversationId: "1", isTyping: true }, "INVALID_ARGUMENT", "Invalid conversationId");
    await refused(ann.socket, "typing", { isTyping: true }, "INVALID_ARGUMENT");
    await refused(ann.socket, "typing", "typing", "INVALID_ARGUMENT");
    await new Promise((done) => setTimeout(done, 100));
    assert.deepEqual(benHeard, []);
  });

  test("a flood of typing from one client is limited and costs the other members nothing", async () => {
    const [ann, ben] = await people("Ann", "Ben");
    const team = await group(ann, [ben]);
    const benHeard = record(ben.socket, "typing_update").seen;
    const replies = await Promise.all(Array.from({ length: 100 }, () =>
      ack(ann.socket, "typing", { conversationId: team.id, isTyping: true })));
    const limited = replies.filter((r) => r.code === "RATE_LIMITED");
    assert.ok(limited.length > 0, "some were refused");
    assert.ok(limited.every((r) => r.retryAfterMs > 0));
    assert.ok(replies.filter((r) => r.success).length >= 1);
    await new Promise((done) => setTimeout(done, 200));
    assert.deepEqual(benHeard, [{ conversationId: team.id, userIds: [ann.id] }], "one list, however many events");
  });
});
