// Catching up (docs/api.md "Catching up"), over the wire with the official client: `sync` gives
// a client that was away every log entry it missed, per conversation and in order, once each,
// as the pushes a connected device got meanwhile; conversations it was added to while away from
// their start (its joining), the ones it left or was removed from not; bounded with `limited`,
// paged over conversations; never anything from before a member's joining; bad input refused.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Clients, ISO_MS, ack, group, history, ok, peopleOf, record, refused, startParley, tokenUser } from "./helpers.mjs";

let server;
let clients;
before(async () => {
  server = await startParley();
  clients = new Clients(server);
});
after(async () => {
  clients.closeAll();
  await server.stop();
});
const people = (...labels) => peopleOf(clients, ...labels);
const say = (socket, conversationId, content) => ok(socket, "send_message", { conversationId, content });
const LOG_PUSHES = ["receive_message", "message_updated", "message_deleted", "reaction_updated"];

// Every page of sync for `known`, with the pages' answers.
async function syncAll(socket, known, extra = {}) {
  const pages = [];
  let before;
  for (;;) {
    const page = await ok(socket, "sync", { conversations: known, ...extra, ...(before ? { before } : {}) });
    pages.push(page);
    if (page.nextCursor === null) return pages;
    assert.equal(typeof page.nextCursor, "string");
    before = page.nextCursor;
  }
}

// The log pushes a socket gets, in order, as sync's events would list them: [{type, seq, data}].
function recordLog(socket) {
  const seen = [];
  for (const type of LOG_PUSHES) {
    socket.on(type, (data) => seen.push({ type, seq: data.seq, conversationId: data.conversationId, data }));
  }
  return seen;
}

// What a client keeps of a conversation after applying log events: the messages by id.
function applyEvents(events, messages = new Map()) {
  for (const { type, data } of events) {
    if (type === "receive_message" || type === "message_updated") {
      const message = type === "receive_message" ? data : data.message;
      messages.set(message.id, message);
    } else if (type === "message_deleted") {
      const m = messages.get(data.messageId);
      if (m) messages.set(m.id, { ...m, content: "", deleted: true, reactions: [] });
    } else if (type === "reaction_updated") {
      const m = messages.get(data.messageId);
      if (m) messages.set(m.id, { ...m, reactions: data.reactions });
    }
  }
  return messages;
}

describe("sync", () => {
  test("every kind of missed entry, in order and once, as a connected device got them", async () => {
    const [ann, ben, cat, dan] = await people("Ann", "Ben", "Cat", "Dan");
    const team = await group(ann, [ben, cat], "Team");
    const old = await say(ann.socket, team.id, "before Ben went away");
    const quiet = await group(cat, [ben], "Quiet");
    const leaving = await group(ann, [ben], "Leaving");
    await ok(ann.socket, "send_message", { receiverId: ben.id, content: "direct, seen" });
    // What Ben's phone has when it goes away: the lastSeq of each of its conversations.
    const { conversations: had } = await ok(ben.socket, "list_conversations", {});
    const known = Object.fromEntries(had.map((c) => [String(c.id), c.lastSeq]));
    const direct = had.find((c) => c.kind === "direct");
    assert.equal(Object.keys(known).length, 4);

    // Ben's laptop stays connected and hears everything that follows.
    const laptop = await clients.connect(ben.token);
    const live = recordLog(laptop);
    const liveUpdates = record(laptop, "conversation_updated").seen;

    const m1 = await say(ann.socket, team.id, "first while away");
    const m2 = await say(cat.socket, team.id, "second while away");
    await ok(ann.socket, "edit_message", { messageId: m1.messageId, content: "first, edited" });
    await ok(ben.socket, "add_reaction", { messageId: m2.messageId, emoji: "👍" });
    await ok(cat.socket, "delete_message", { messageId: m2.messageId });
    await ok(ann.socket, "edit_message", { messageId: old.messageId, content: "before, edited" });
    await ok(ann.socket, "update_conversation", { conversationId: team.id, title: "Team 2" });
    await ok(ann.socket, "add_members", { conversationId: team.id, userIds: [dan.id] });
    await say(dan.socket, team.id, "hi, I am new");
    await ok(ann.socket, "send_message", { receiverId: ben.id, content: "direct, missed" });
    const fresh = await group(dan, [ben], "Fresh");
    await say(dan.socket, fresh.id, "welcome");
    await ok(ann.socket, "remove_member", { conversationId: leaving.id, userId: ben.id });
    // Wait for the last push to reach the laptop.
    await waitUntil(() => live.some((e) => e.data.content === "welcome" || e.data.message?.content === "welcome"));

    const phone = await clients.connect(ben.token);
    const pages = await syncAll(phone, known);
    assert.equal(pages.length, 1);
    const [page] = pages;
    const byId = new Map(page.conversations.map((c) => [c.conversationId, c]));
    assert.deepEqual([...byId.keys()], [team.id, direct.id, fresh.id].sort((a, b) => a - b),
      "conversations with something new, by id; not Quiet (nothing new), not Leaving (removed)");
    assert.deepEqual(page.removedConversationIds, [leaving.id]);

    for (const synced of page.conversations) {
      const heard = live.filter((e) => e.conversationId === synced.conversationId);
      const logEvents = synced.events.filter((e) => e.type !== "conversation_updated");
      assert.deepEqual(logEvents.map((e) => [e.type, e.seq]), heard.map((e) => [e.type, e.seq]),
        `conversation ${synced.conversationId}: the entries the laptop heard, in order`);
      const seqs = logEvents.map((e) => e.seq);
      const from = (known[String(synced.conversationId)] ?? 0) + 1;
      assert.deepEqual(seqs, Array.from({ length: synced.lastSeq - from + 1 }, (_, i) => from + i),
        "each seq once, none missing");
      assert.equal(synced.limited, false);
      const now = await ok(phone, "get_conversation", { conversationId: synced.conversationId });
      assert.equal(synced.lastSeq, now.conversation.lastSeq);
      assert.equal(synced.unreadCount, now.conversation.unreadCount);
      assert.equal(synced.lastReadSeq, now.conversation.lastReadSeq);
      assert.deepEqual(synced.conversation, now.conversation);
      // Applied to what the client had, the events give the history as it is now.
      const { list } = await history(phone, { conversationId: synced.conversationId, limit: 200 });
      const had_ = new Map(list.filter((m) => m.seq < from).map((m) => [m.id, m]));
      const applied = applyEvents(logEvents, had_);
      assert.deepEqual([...applied.values()].sort((a, b) => a.seq - b.seq), list, "the events bring the client up to date");
    }

    const teamEvents = byId.get(team.id).events;
    const updated = teamEvents.filter((e) => e.type === "conversation_updated");
    assert.equal(updated.length, 1, "one conversation_updated, after the last system message");
    const lastSystem = teamEvents.findLast((e) => e.type === "receive_message" && e.data.kind === "system");
    assert.equal(teamEvents[teamEvents.indexOf(lastSystem) + 1], updated[0]);
    assert.equal(updated[0].seq, lastSystem.seq);
    assert.equal(updated[0].data.conversation.title, "Team 2");
    const lastLive = liveUpdates.filter((u) => u.conversation.id === team.id).at(-1).conversation;
    assert.equal(lastLive.title, "Team 2");
    assert.deepEqual(updated[0].data.conversation.members, lastLive.members, "the members as the live push said");
    const deleted = teamEvents.find((e) => e.type === "message_deleted");
    assert.deepEqual(Object.keys(deleted.data).sort(), ["conversationId", "deletedAt", "deletedBy", "messageId", "seq"]);
    assert.equal(deleted.data.deletedBy, cat.id);
    assert.match(deleted.data.deletedAt, ISO_MS);
    const second = teamEvents.find((e) => e.type === "receive_message" && e.data.id === m2.messageId);
    assert.equal(second.data.deleted, true, "a message deleted since is sent as its tombstone");
    assert.equal(second.data.content, "");
    const edited = teamEvents.filter((e) => e.type === "message_updated");
    assert.deepEqual(edited.map((e) => e.data.message.id), [m1.messageId, old.messageId]);
    assert.equal(edited[1].data.message.content, "before, edited", "an edit of a message older than the client's lastSeq");

    const directEvents = byId.get(direct.id).events;
    assert.deepEqual(directEvents.map((e) => e.data.content), ["direct, missed"]);
    assert.equal(directEvents[0].data.receiverId, ben.id);
    assert.equal(directEvents[0].data.senderId, ann.id);

    const freshEvents = byId.get(fresh.id).events;
    assert.deepEqual(freshEvents.map((e) => e.type), ["receive_message", "conversation_updated", "receive_message"],
      "a conversation the client did not know: from its creation");
    assert.equal(freshEvents[0].data.system.type, "created");
    assert.equal(byId.get(fresh.id).conversation.title, "Fresh");
    assert.equal(byId.get(fresh.id).unreadCount, 1);

    // Up to date now: nothing more to say.
    const caughtUp = Object.fromEntries(page.conversations.map((c) => [String(c.conversationId), c.lastSeq]));
    const again = await ok(phone, "sync", { conversations: { ...known, ...caughtUp } });
    assert.deepEqual(again.conversations, []);
    assert.equal(again.nextCursor, null);
    void quiet;
  });

  test("more than `limit` due: the newest `limit` and limited; get_messages fills the gap", async () => {
    const [ann, ben] = await people("Ann", "Ben");
    const team = await group(ann, [ben]);
    const { conversation } = await ok(ben.socket, "get_conversation", { conversationId: team.id });
    for (let i = 1; i <= 12; i++) await say(ann.socket, team.id, `message ${i}`);
    const { conversations: [synced] } = await ok(ben.socket, "sync",
      { conversations: { [team.id]: conversation.lastSeq }, limit: 5 });
    assert.equal(synced.limited, true);
    assert.deepEqual(synced.events.map((e) => e.data.content), [8, 9, 10, 11, 12].map((i) => `message ${i}`));
    const { list } = await history(ben.socket, { conversationId: team.id, before: synced.events[0].seq, limit: 200 });
    assert.deepEqual(list.filter((m) => m.seq > conversation.lastSeq).map((m) => m.content),
      [1, 2, 3, 4, 5, 6, 7].map((i) => `message ${i}`));

    const { conversations: [exact] } = await ok(ben.socket, "sync",
      { conversations: { [team.id]: conversation.lastSeq }, limit: 12 });
    assert.equal(exact.limited, false, "exactly `limit` due is not limited");
    assert.equal(exact.events.length, 12);
  });

  test("pages over conversations: each once, ascending, nextCursor null on the last", async () => {
    const [ann, ben] = await people("Ann", "Ben");
    const made = [];
    for (let i = 0; i < 53; i++) made.push((await group(ann, [ben], `G${i}`)).id);
    const pages = await syncAll(ben.socket, {}, { limit: 1 });
    assert.equal(pages.length, 2, "50 conversations a page");
    assert.equal(pages[0].conversations.length, 50);
    const ids = pages.flatMap((p) => p.conversations.map((c) => c.conversationId));
    assert.deepEqual(ids, [...made].sort((a, b) => a - b));
    for (const c of pages.flatMap((p) => p.conversations)) {
      assert.deepEqual(c.events.map((e) => e.type), ["receive_message", "conversation_updated"]);
      assert.equal(c.limited, false);
    }
    assert.deepEqual(pages[1].removedConversationIds, []);
  });

  test("a member added later sees nothing from before its joining, live or in sync", async () => {
    const [ann, ben, dan] = await people("Ann", "Ben", "Dan");
    const team = await group(ann, [ben]);
    const early = await say(ann.socket, team.id, "before Dan");
    const danHeard = recordLog(dan.socket);
    const benHeard = recordLog(ben.socket);
    const added = await ok(ann.socket, "add_members", { conversationId: team.id, userIds: [dan.id] });
    const joinedSeq = added.conversation.lastSeq;
    await ok(ann.socket, "edit_message", { messageId: early.messageId, content: "before Dan, edited" });
    await ok(ben.socket, "add_reaction", { messageId: early.messageId, emoji: "🎉" });
    await ok(ann.socket, "delete_message", { messageId: early.messageId });
    await say(ann.socket, team.id, "after Dan");
    const benSince = () => benHeard.filter((e) => e.seq >= joinedSeq);  // the push of "before Dan" may come late
    await waitUntil(() => danHeard.some((e) => e.data.content === "after Dan") && benSince().length === 5,
      () => JSON.stringify({ danHeard, benHeard }));
    assert.deepEqual(danHeard.map((e) => [e.type, e.seq]), [["receive_message", joinedSeq], ["receive_message", joinedSeq + 4]],
      "no change of an older message reaches Dan");
    assert.deepEqual(benSince().map((e) => e.type),
      ["receive_message", "message_updated", "reaction_updated", "message_deleted", "receive_message"]);

    const { conversations: [synced] } = await ok(dan.socket, "sync", {});
    assert.equal(synced.events[0].seq, joinedSeq, "from the entry that added it");
    assert.equal(synced.events[0].data.system.type, "members_added");
    assert.deepEqual(synced.events.map((e) => e.type), ["receive_message", "conversation_updated", "receive_message"]);
    assert.ok(!JSON.stringify(synced).includes("before Dan"));
  });

  test("never another user's conversation; bad input refused", async () => {
    const [ann, ben, eve] = await people("Ann", "Ben", "Eve");
    const team = await group(ann, [ben]);
    await say(ann.socket, team.id, "private");
    const answer = await ok(eve.socket, "sync", { conversations: { [team.id]: 0 } });
    assert.deepEqual(answer.conversations, []);
    assert.deepEqual(answer.removedConversationIds, [team.id], "named by the client, not its: only its id back");
    const nothing = await ok(eve.socket, "sync", {});
    assert.deepEqual(nothing.conversations, []);
    const bare = await ack(eve.socket, "sync");
    assert.equal(bare.success, true, "no argument: everything");

    for (const [payload, message] of [
      [{ conversations: [1, 2] }, "Invalid conversations"],
      [{ conversations: { abc: 1 } }, "Invalid conversations"],
      [{ conversations: { 0: 1 } }, "Invalid conversations"],
      [{ conversations: { [team.id]: -1 } }, "Invalid conversations"],
      [{ conversations: { [team.id]: "3" } }, "Invalid conversations"],
      [{ conversations: { [team.id]: 1.5 } }, "Invalid conversations"],
      [{ limit: 0 }, "Invalid limit (1 to 200)"],
      [{ limit: 201 }, "Invalid limit (1 to 200)"],
      [{ before: 17 }, "Invalid before"],
      [{ before: "x" }, "Invalid before"],
      ["text", "Invalid arguments"],
    ]) {
      await refused(ben.socket, "sync", payload, "INVALID_ARGUMENT", message);
    }
    const tooMany = Object.fromEntries(Array.from({ length: 10001 }, (_, i) => [String(i + 1), 0]));
    await refused(ben.socket, "sync", { conversations: tooMany }, "INVALID_ARGUMENT", "Too many conversations (max 10000)");

    const stranger = tokenUser("Nobody");
    const socket = await clients.connect(stranger.token);
    const empty = await ok(socket, "sync", { conversations: {} });
    assert.deepEqual(empty, { success: true, conversations: [], removedConversationIds: [], nextCursor: null });
  });
});

async function waitUntil(condition, describe = () => "", ms = 5000) {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`condition not met in time ${describe()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
