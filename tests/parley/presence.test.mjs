// Presence (docs/api.md "Live signals"), over the wire with the official client: `presence`
// pushed to the users who share a conversation with a user (never to others) when it comes
// online and a grace (PRESENCE_GRACE, 1 s here) after its last socket closed, no flicker on a
// quick reconnect, lastSeenAt kept in the database (also across a restart), get_presence and
// its limits, and appearing offline.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Clients, ISO_MS, freshDatabase, group, ok, record, refused, startParley, tokenUser, waitForMatching } from "./helpers.mjs";

const GRACE_MS = 1000;
const ARGS = ["--presence-grace", `${GRACE_MS / 1000}s`];
let server;
let clients;
before(async () => {
  server = await startParley({ args: ARGS });
  clients = new Clients(server);
});
after(async () => {
  clients.closeAll();
  await server.stop();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const presenceOf = (socket, userId, online, ms = 5000) =>
  waitForMatching(socket, "presence", (p) => p.userId === userId && p.online === online, ms);

// Ann connected; Ben known (it connected once, to exist), sharing a group with Ann, offline;
// Cid a stranger, connected.
async function cast() {
  const ann = tokenUser("Ann"), ben = tokenUser("Ben"), cid = tokenUser("Cid");
  ann.socket = await clients.connect(ann.token);
  cid.socket = await clients.connect(cid.token);
  const first = await clients.connect(ben.token);
  ben.socket = first;
  await group(ann, [ben]);
  first.disconnect();
  await presenceOf(ann.socket, ben.id, false);
  await sleep(GRACE_MS);  // at most one push per user per interval (the grace here): let it pass
  return { ann, ben, cid };
}

describe("presence", () => {
  test("changes within the interval are folded into one push of the latest state", async () => {
    const { ann, ben } = await cast();
    const annHeard = record(ann.socket, "presence").seen;
    const annSees = presenceOf(ann.socket, ben.id, true);
    ben.socket = await clients.connect(ben.token);
    await annSees;
    // Hidden and shown again within the quiet time after that push: nothing new to tell.
    await ok(ben.socket, "set_presence", { appearOffline: true });
    await ok(ben.socket, "set_presence", { appearOffline: false });
    await sleep(GRACE_MS * 1.5);
    assert.deepEqual(annHeard.filter((p) => p.userId === ben.id).map((p) => p.online), [true]);
    // Hidden for longer: told once the quiet time is over.
    const hidden = presenceOf(ann.socket, ben.id, false);
    await ok(ben.socket, "set_presence", { appearOffline: true });
    await hidden;
  });

  test("online at once, offline a grace after the last socket closed, to contacts only", async () => {
    const { ann, ben, cid } = await cast();
    const cidHeard = record(cid.socket, "presence").seen;
    const annSees = presenceOf(ann.socket, ben.id, true);
    const started = Date.now();
    ben.socket = await clients.connect(ben.token);
    const [online] = await annSees;
    assert.deepEqual(online, { userId: ben.id, online: true, lastSeenAt: null });
    assert.ok(Date.now() - started < GRACE_MS, "online is told at once");
    const second = await clients.connect(ben.token);  // a second device changes nothing
    const annSeesOffline = presenceOf(ann.socket, ben.id, false);
    ben.socket.disconnect();
    await sleep(GRACE_MS * 1.5);
    second.disconnect();
    const closedAt = Date.now();
    const [offline] = await annSeesOffline;
    assert.ok(Date.now() - closedAt >= GRACE_MS * 0.9, "offline only after the grace");
    assert.match(offline.lastSeenAt, ISO_MS);
    assert.ok(Math.abs(Date.parse(offline.lastSeenAt) - closedAt) < 500, `lastSeenAt ${offline.lastSeenAt} is when it left`);
    const { presence } = await ok(ann.socket, "get_presence", { userIds: [ben.id, cid.id, ann.id, "nobody-here"] });
    assert.deepEqual(presence, [
      { userId: ben.id, online: false, lastSeenAt: offline.lastSeenAt },
      { userId: cid.id, online: false, lastSeenAt: null },  // shares no conversation with Ann
      { userId: ann.id, online: true, lastSeenAt: null },
      { userId: "nobody-here", online: false, lastSeenAt: null },
    ]);
    assert.equal(cidHeard.length, 0, "a stranger hears nothing");
  });

  test("a reconnect within the grace does not flicker", async () => {
    const { ann, ben } = await cast();
    const annHeard = record(ann.socket, "presence").seen;
    const annSees = presenceOf(ann.socket, ben.id, true);  // before connecting: it comes at once
    ben.socket = await clients.connect(ben.token);
    await annSees;
    ben.socket.disconnect();
    await sleep(GRACE_MS / 4);
    ben.socket = await clients.connect(ben.token);
    await sleep(GRACE_MS * 2);
    assert.deepEqual(annHeard.filter((p) => p.userId === ben.id).map((p) => p.online), [true]);
    const { presence } = await ok(ann.socket, "get_presence", { userIds: [ben.id] });
    assert.equal(presence[0].online, true);
  });

  test("leaving again within the grace: offline a grace after the last close, not the first", async () => {
    const { ann, ben } = await cast();
    const annSees = presenceOf(ann.socket, ben.id, true);
    ben.socket = await clients.connect(ben.token);
    await annSees;
    ben.socket.disconnect();
    await sleep(GRACE_MS / 2);
    ben.socket = await clients.connect(ben.token);
    const annSeesOffline = presenceOf(ann.socket, ben.id, false);
    ben.socket.disconnect();
    const lastClose = Date.now();
    const [offline] = await annSeesOffline;
    assert.ok(Date.now() - lastClose >= GRACE_MS * 0.9, `offline ${Date.now() - lastClose} ms after the last close`);
    assert.ok(Math.abs(Date.parse(offline.lastSeenAt) - lastClose) < 500, "last seen at the last close");
  });

  test("appear offline: shown offline with no last-seen time until it says otherwise", async () => {
    const { ann, ben } = await cast();
    const annSees = presenceOf(ann.socket, ben.id, true);
    ben.socket = await clients.connect(ben.token);
    await annSees;
    const annSeesHidden = presenceOf(ann.socket, ben.id, false);
    assert.deepEqual(await ok(ben.socket, "set_presence", { appearOffline: true }), { success: true, appearOffline: true });
    assert.deepEqual((await annSeesHidden)[0], { userId: ben.id, online: false, lastSeenAt: null });
    const annHeard = record(ann.socket, "presence").seen;
    const again = await clients.connect(ben.token);
    again.disconnect();
    await sleep(GRACE_MS * 2);
    assert.equal(annHeard.filter((p) => p.userId === ben.id).length, 0, "its comings and goings stay hidden");
    assert.deepEqual((await ok(ann.socket, "get_presence", { userIds: [ben.id] })).presence,
      [{ userId: ben.id, online: false, lastSeenAt: null }]);
    const annSeesBack = presenceOf(ann.socket, ben.id, true);
    await ok(ben.socket, "set_presence", { appearOffline: false });
    await annSeesBack;
    await refused(ben.socket, "set_presence", { appearOffline: "yes" }, "INVALID_ARGUMENT");
  });

  test("get_presence: 1 to 200 distinct ids", async () => {
    const { ann } = await cast();
    const many = Array.from({ length: 201 }, (_, i) => `user-${i}`);
    await refused(ann.socket, "get_presence", { userIds: many }, "INVALID_ARGUMENT", "Too many userIds (max 200)");
    await refused(ann.socket, "get_presence", { userIds: [] }, "INVALID_ARGUMENT");
    await refused(ann.socket, "get_presence", { userIds: ["a", "a"] }, "INVALID_ARGUMENT");
    await refused(ann.socket, "get_presence", {}, "INVALID_ARGUMENT");
    const { presence } = await ok(ann.socket, "get_presence", { userIds: many.slice(0, 200) });
    assert.equal(presence.length, 200);
  });
});

test("lastSeenAt and appearing offline are kept in the database across a restart", async () => {
  const database = freshDatabase();
  const ann = tokenUser("Ann"), ben = tokenUser("Ben"), cid = tokenUser("Cid");
  let first = await startParley({ database, args: ARGS });
  let c = new Clients(first);
  try {
    ann.socket = await c.connect(ann.token);
    ben.socket = await c.connect(ben.token);
    cid.socket = await c.connect(cid.token);
    await group(ann, [ben, cid]);
    await ok(cid.socket, "set_presence", { appearOffline: true });
    const annSeesOffline = presenceOf(ann.socket, ben.id, false);
    ben.socket.disconnect();
    const [{ lastSeenAt }] = await annSeesOffline;
    c.closeAll();
    await first.stop();
    first = await startParley({ database, args: ARGS });
    c = new Clients(first);
    ann.socket = await c.connect(ann.token);
    const cidAgain = await c.connect(cid.token);
    await sleep(200);
    const { presence } = await ok(ann.socket, "get_presence", { userIds: [ben.id, cid.id] });
    assert.deepEqual(presence, [{ userId: ben.id, online: false, lastSeenAt }, { userId: cid.id, online: false, lastSeenAt: null }]);
    cidAgain.disconnect();
  } finally {
    c.closeAll();
    await first.stop();
    database.remove?.();
  }
});
