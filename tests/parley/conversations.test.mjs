// Conversations and groups, and read state (docs/api.md), over the wire with the official
// client: creation, the roles' rules, membership changes as system messages, who gets which
// push (never a non-member), gap-free seqs under concurrent senders, unread counts across two
// devices, receipts, the paged list.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Clients, ISO_MS, ack, group, ok, peopleOf, record, refused, startParley, tokenUser, waitFor, waitForMatching } from "./helpers.mjs";

let server;
let clients;
before(async () => {
  server = await startParley();
  clients = new Clients(server);
});
const people = (...labels) => peopleOf(clients, ...labels);
after(async () => {
  clients.closeAll();
  await server.stop();
});

describe("conversations", () => {
  test("create_conversation: a group with its creator as owner; every member is told; the log starts with `created`", async () => {
    const [ann, ben, cid] = await people("Ann", "Ben", "Cid");
    const benUpdated = waitFor(ben.socket, "conversation_updated");
    const benSystem = waitFor(ben.socket, "receive_message");
    const cidHeard = record(cid.socket, "receive_message").seen;
    const conversation = await group(ann, [ben], "Lunch");
    assert.equal(conversation.kind, "group");
    assert.equal(conversation.title, "Lunch");
    assert.equal(conversation.myRole, "owner");
    assert.equal(conversation.lastSeq, 1);
    assert.equal(conversation.unreadCount, 0);
    assert.match(conversation.createdAt, ISO_MS);
    assert.deepEqual(conversation.members.map((m) => [m.id, m.role]).sort(),
      [[ann.id, "owner"], [ben.id, "member"]].sort());
    assert.equal(conversation.lastMessage.kind, "system");
    assert.equal(conversation.lastMessage.system.type, "created");
    const [{ conversation: seenByBen }] = await benUpdated;
    assert.equal(seenByBen.id, conversation.id);
    assert.equal(seenByBen.myRole, "member");
    const [system] = await benSystem;
    assert.deepEqual([system.conversationId, system.seq, system.kind, system.receiverId], [conversation.id, 1, "system", null]);
    assert.equal(system.system.actorId, ann.id);
    assert.deepEqual(cidHeard, [], "a non-member hears nothing");
  });

  test("invalid arguments and unknown users", async () => {
    const [ann] = await people("Ann");
    await refused(ann.socket, "create_conversation", { title: "", memberIds: [tokenUser().id] }, "INVALID_ARGUMENT");
    await refused(ann.socket, "create_conversation", { title: "x", memberIds: [] }, "INVALID_ARGUMENT");
    await refused(ann.socket, "create_conversation", { title: "x", memberIds: [ann.id] }, "INVALID_ARGUMENT");
    await refused(ann.socket, "create_conversation", { title: "x", memberIds: "nope" }, "INVALID_ARGUMENT");
    await refused(ann.socket, "create_conversation", { title: "x", memberIds: [tokenUser().id] }, "NOT_FOUND");
    await refused(ann.socket, "get_conversation", { conversationId: "1" }, "INVALID_ARGUMENT");
    await refused(ann.socket, "list_conversations", { limit: 101 }, "INVALID_ARGUMENT");
    await refused(ann.socket, "list_conversations", { before: "garbage" }, "INVALID_ARGUMENT");
    await refused(ann.socket, "set_role", { conversationId: 1, userId: ann.id, role: "king" }, "INVALID_ARGUMENT");
    await refused(ann.socket, "mark_read", { conversationId: 1, seq: -1 }, "INVALID_ARGUMENT");
  });

  test("group messages: every member gets them with conversationId and seq; a non-member can neither read, write nor receive", async () => {
    const [ann, ben, eve] = await people("Ann", "Ben", "Eve");
    const eveEvents = [];
    eve.socket.onAny((event) => { if (event !== "error") eveEvents.push(event); });
    const conversation = await group(ann, [ben]);
    const eveHeard = record(eve.socket, "receive_message").seen;
    const arrived = waitForMatching(ben.socket, "receive_message", (m) => m.content === "hello team");
    const reply = await ok(ann.socket, "send_message", { conversationId: conversation.id, content: "hello team" });
    assert.equal(reply.seq, 2);
    const [m] = await arrived;
    assert.deepEqual([m.id, m.conversationId, m.seq, m.kind, m.receiverId, m.receiverName, m.senderId],
      [reply.messageId, conversation.id, 2, "text", null, null, ann.id]);
    const id = conversation.id;
    await refused(eve.socket, "send_message", { conversationId: id, content: "let me in" }, "FORBIDDEN");
    await refused(eve.socket, "get_messages", { conversationId: id }, "FORBIDDEN");
    await refused(eve.socket, "get_conversation", { conversationId: id }, "FORBIDDEN");
    await refused(eve.socket, "get_receipts", { conversationId: id }, "FORBIDDEN");
    await refused(eve.socket, "mark_read", { conversationId: id, seq: 1 }, "FORBIDDEN");
    await refused(eve.socket, "add_members", { conversationId: id, userIds: [eve.id] }, "FORBIDDEN");
    await refused(eve.socket, "send_message", { conversationId: 999999, content: "nobody" }, "FORBIDDEN");
    const { list } = await (async () => {
      const listed = waitFor(ben.socket, "messages_list");
      await ok(ben.socket, "get_messages", { conversationId: id });
      const [l] = await listed;
      return { list: l };
    })();
    assert.deepEqual(list.map((x) => [x.seq, x.kind]), [[1, "system"], [2, "text"]]);
    // Receipts and changes of the group reach its members only.
    const benReceipt = waitFor(ben.socket, "read_receipt");
    await ok(ann.socket, "mark_read", { conversationId: id, seq: 2 });
    await benReceipt;
    const benUpdated = waitFor(ben.socket, "conversation_updated");
    await ok(ann.socket, "update_conversation", { conversationId: id, title: "Secret" });
    await benUpdated;
    assert.deepEqual(eveHeard, []);
    assert.deepEqual(eveEvents, [], "a non-member gets no push at all");
  });

  test("roles: who may rename, add, remove and set roles; never without an owner", async () => {
    const [own, adm, mem, out] = await people("Owner", "Admin", "Member", "Outsider");
    const c = await group(own, [adm, mem]);
    const id = c.id;
    await refused(mem.socket, "update_conversation", { conversationId: id, title: "mine" }, "FORBIDDEN");
    await refused(adm.socket, "set_role", { conversationId: id, userId: mem.id, role: "admin" }, "FORBIDDEN");
    const promoted = await ok(own.socket, "set_role", { conversationId: id, userId: adm.id, role: "admin" });
    assert.equal(promoted.conversation.members.find((m) => m.id === adm.id).role, "admin");
    await refused(own.socket, "set_role", { conversationId: id, userId: adm.id, role: "admin" }, "CONFLICT");
    await refused(own.socket, "set_role", { conversationId: id, userId: own.id, role: "member" }, "CONFLICT",
      "Conflict: a group keeps at least one owner");
    await refused(own.socket, "set_role", { conversationId: id, userId: out.id, role: "admin" }, "NOT_FOUND");
    const renamed = waitForMatching(mem.socket, "receive_message", (m) => m.system?.type === "title_changed");
    const r = await ok(adm.socket, "update_conversation", { conversationId: id, title: "Renamed" });
    assert.equal(r.conversation.title, "Renamed");
    assert.equal((await renamed)[0].system.title, "Renamed");
    await refused(adm.socket, "remove_member", { conversationId: id, userId: own.id }, "FORBIDDEN",
      "Not allowed: an admin cannot remove an owner");
    await refused(mem.socket, "remove_member", { conversationId: id, userId: adm.id }, "FORBIDDEN");
    await refused(adm.socket, "add_members", { conversationId: id, userIds: [mem.id] }, "CONFLICT");
    await refused(adm.socket, "add_members", { conversationId: id, userIds: [tokenUser().id] }, "NOT_FOUND");
    await refused(adm.socket, "remove_member", { conversationId: id, userId: out.id }, "NOT_FOUND");
    await refused(own.socket, "update_conversation", { conversationId: id, title: "x".repeat(101) }, "INVALID_ARGUMENT");
    // The last owner leaves: the admin (longest-standing) becomes owner.
    const left = await ok(own.socket, "leave_conversation", { conversationId: id });
    assert.equal(left.conversation, undefined);
    const view = await ok(adm.socket, "get_conversation", { conversationId: id });
    assert.equal(view.conversation.myRole, "owner");
    assert.deepEqual(view.conversation.members.map((m) => m.id).sort(), [adm.id, mem.id].sort());
    await refused(own.socket, "get_conversation", { conversationId: id }, "FORBIDDEN");
  });

  test("a removed member gets conversation_removed and nothing after; can no longer read or write", async () => {
    const [ann, ben, cid] = await people("Ann", "Ben", "Cid");
    const c = await group(ann, [ben, cid]);
    const removed = waitFor(ben.socket, "conversation_removed");
    await ok(ann.socket, "remove_member", { conversationId: c.id, userId: ben.id });
    assert.deepEqual((await removed)[0], { conversationId: c.id });
    const benHeard = record(ben.socket, "receive_message").seen;
    const benEvents = [];
    const listener = (event) => { if (event !== "error") benEvents.push(event); };
    ben.socket.onAny(listener);
    const cidGot = waitForMatching(cid.socket, "receive_message", (m) => m.content === "after Ben");
    await ok(ann.socket, "send_message", { conversationId: c.id, content: "after Ben" });
    await cidGot;
    const cidUpdated = waitFor(cid.socket, "conversation_updated");
    await ok(ann.socket, "update_conversation", { conversationId: c.id, title: "Without Ben" });
    await ok(cid.socket, "mark_read", { conversationId: c.id, seq: 100 });
    await cidUpdated;
    await refused(ben.socket, "get_messages", { conversationId: c.id }, "FORBIDDEN");
    await refused(ben.socket, "send_message", { conversationId: c.id, content: "still here?" }, "FORBIDDEN");
    await refused(ben.socket, "mark_read", { conversationId: c.id, seq: 1 }, "FORBIDDEN");
    ben.socket.offAny(listener);
    assert.deepEqual(benEvents, [], "nothing of the conversation after conversation_removed");
    // Added again: sees the log from its new joining on, nothing before.
    await ok(ann.socket, "add_members", { conversationId: c.id, userIds: [ben.id] });
    const listed = waitFor(ben.socket, "messages_list");
    await ok(ben.socket, "get_messages", { conversationId: c.id });
    const [list] = await listed;
    assert.deepEqual(list.map((m) => m.system?.type), ["members_added"]);
    assert.deepEqual(benHeard.filter((m) => m?.content === "after Ben"), []);
  });

  test("a rename and a removal fired together: the removed member gets no conversation_updated after conversation_removed; everyone's updates come in seq order", async () => {
    for (let round = 0; round < 5; ++round) {
      const [ann, ben, cid] = await people("Ann", "Ben", "Cid");
      const c = await group(ann, [ben, cid]);
      await ok(cid.socket, "send_message", { conversationId: c.id, content: `unread ${round}` });  // seq 2
      // Every push about c, in arrival order, per member.
      const heard = new Map();
      for (const u of [ann, ben, cid]) {
        const events = [];
        heard.set(u.id, events);
        u.socket.onAny((event, payload) => {
          const id = payload?.conversation?.id ?? payload?.conversationId;
          if (id === c.id) events.push({ event, payload });
        });
      }
      const bothSeen = [ann, cid].map((u) => waitForMatching(u.socket, "conversation_updated",
        ({ conversation }) => conversation.id === c.id && conversation.lastSeq === 4));
      // Not waiting for the first before sending the second: either may commit first.
      const [{ conversation: renamed }, { conversation: removed }] = await Promise.all([
        ok(ann.socket, "update_conversation", { conversationId: c.id, title: `Round ${round}` }),
        ok(ann.socket, "remove_member", { conversationId: c.id, userId: ben.id }),
      ]);
      await Promise.all(bothSeen);
      // Whatever was on its way to Ben arrives before this (sent after both changes).
      const flushed = waitForMatching(ben.socket, "receive_message", (m) => m.content === `flush ${round}`);
      await ok(ann.socket, "send_message", { receiverId: ben.id, content: `flush ${round}` });
      await flushed;
      const benEvents = heard.get(ben.id);
      const removal = benEvents.findIndex((e) => e.event === "conversation_removed");
      assert.notEqual(removal, -1, "Ben is told it was removed");
      assert.deepEqual(benEvents.slice(removal + 1).map((e) => e.event), [],
        `round ${round}: nothing reaches Ben after conversation_removed`);
      const benUpdates = benEvents.filter((e) => e.event === "conversation_updated").map((e) => e.payload.conversation);
      assert.ok(benUpdates.every((v) => v.lastSeq < removed.lastSeq), `round ${round}: Ben saw no state after its removal`);
      assert.equal(benUpdates.filter((v) => v.lastSeq > 2).length, renamed.lastSeq < removed.lastSeq ? 1 : 0,
        `round ${round}: Ben's updates`);
      for (const u of [ann, cid]) {
        const updates = heard.get(u.id).filter((e) => e.event === "conversation_updated").map((e) => e.payload.conversation);
        // (The `created` one, seq 1, may come after the creator's ack: listened to or not.)
        assert.deepEqual(updates.map((v) => v.lastSeq).filter((seq) => seq > 1), [3, 4],
          `round ${round}: ${u.name}'s updates in seq order`);
        const seqs = updates.map((v) => v.lastSeq);
        assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `round ${round}: ${u.name}'s updates in seq order`);
        const last = updates.at(-1);
        assert.equal(last.title, `Round ${round}`);
        assert.deepEqual(last.members.map((m) => m.id).sort(), [ann.id, cid.id].sort());
        assert.equal(last.lastMessage.seq, 4);
        assert.equal(last.unreadCount, u === ann ? 1 : 0, `${u.name}'s own unread count`);
        assert.equal(last.myRole, u === ann ? "owner" : "member");
      }
      for (const u of [ann, ben, cid]) u.socket.offAny();
    }
  });

  test("direct conversations: the seed's send begins one; by conversationId the same; they cannot be changed", async () => {
    const [ann, ben] = await people("Ann", "Ben");
    const first = await ok(ann.socket, "send_message", { receiverId: ben.id, content: "hi" });
    assert.equal(first.seq, 1);
    const arrived = waitForMatching(ben.socket, "receive_message", (m) => m.content === "by id");
    const second = await ok(ann.socket, "send_message", { conversationId: first.conversationId, content: "by id" });
    assert.equal(second.seq, 2);
    const [m] = await arrived;
    assert.deepEqual([m.receiverId, m.receiverName, m.conversationId], [ben.id, ben.name, first.conversationId]);
    const listed = waitFor(ben.socket, "messages_list");
    await ok(ben.socket, "get_messages", { conversationId: first.conversationId, before: 2 });
    assert.deepEqual((await listed)[0].map((x) => [x.content, x.receiverId]), [["hi", ben.id]]);
    const { conversation } = await ok(ben.socket, "get_conversation", { conversationId: first.conversationId });
    assert.deepEqual([conversation.kind, conversation.title, conversation.unreadCount, conversation.lastMessage.content],
      ["direct", null, 2, "by id"]);
    const id = first.conversationId;
    await refused(ann.socket, "update_conversation", { conversationId: id, title: "no" }, "FORBIDDEN");
    await refused(ann.socket, "add_members", { conversationId: id, userIds: [tokenUser().id] }, "FORBIDDEN");
    await refused(ann.socket, "leave_conversation", { conversationId: id }, "FORBIDDEN");
    await refused(ann.socket, "remove_member", { conversationId: id, userId: ben.id }, "FORBIDDEN");
  });

  test("add_members: the new member is told and sees the log from its joining; the others get conversation_updated", async () => {
    const [ann, ben, dan] = await people("Ann", "Ben", "Dan");
    const c = await group(ann, [ben]);
    await ok(ann.socket, "send_message", { conversationId: c.id, content: "before Dan" });
    const danUpdated = waitFor(dan.socket, "conversation_updated");
    const benUpdated = waitForMatching(ben.socket, "conversation_updated", ({ conversation }) => conversation.members.length === 3);
    const danSystem = waitFor(dan.socket, "receive_message");
    const added = await ok(ann.socket, "add_members", { conversationId: c.id, userIds: [dan.id] });
    assert.equal(added.conversation.members.length, 3);
    const [{ conversation }] = await danUpdated;
    assert.deepEqual([conversation.id, conversation.myRole, conversation.unreadCount], [c.id, "member", 0]);
    assert.deepEqual((await danSystem)[0].system, { type: "members_added", actorId: ann.id, userIds: [dan.id] });
    await benUpdated;
    const listed = waitFor(dan.socket, "messages_list");
    await ok(dan.socket, "get_messages", { conversationId: c.id });
    assert.deepEqual((await listed)[0].map((m) => m.seq), [3]);
  });

  test("concurrent sends from several sockets: seqs gap-free, increasing in ack order per socket", async () => {
    const users = await people("A", "B", "C", "D");
    const c = await group(users[0], users.slice(1));
    const acks = await Promise.all(users.map(async (u) => {
      const seqs = [];
      for (let i = 0; i < 10; ++i) seqs.push((await ok(u.socket, "send_message", { conversationId: c.id, content: `${u.id} ${i}` })).seq);
      return seqs;
    }));
    for (const seqs of acks) assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    const all = acks.flat().sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: 40 }, (_, i) => i + 2), "gap-free after `created`");
  });
});

describe("group size limit", () => {
  test("MAX_GROUP_MEMBERS counts the creator; beyond it INVALID_ARGUMENT, on create and on add", async () => {
    const own = await startParley({ args: ["--max-group-members", "3"] });
    const ownClients = new Clients(own);
    try {
      const users = [0, 1, 2, 3].map((i) => tokenUser(`L${i}`));
      const [s0] = await Promise.all(users.map((u) => ownClients.connect(u.token)));
      await refused(s0, "create_conversation", { title: "big", memberIds: users.slice(1).map((u) => u.id) }, "INVALID_ARGUMENT");
      const { conversation } = await ok(s0, "create_conversation", { title: "ok", memberIds: [users[1].id, users[2].id] });
      await refused(s0, "add_members", { conversationId: conversation.id, userIds: [users[3].id] }, "INVALID_ARGUMENT");
    } finally {
      ownClients.closeAll();
      await own.stop();
    }
  });
});

describe("rate limits", () => {
  test("conversation changes count as sends, conversation reads as history reads", async () => {
    const own = await startParley({ args: ["--send-rate-per-user", "2/1h", "--history-rate-per-user", "1/1h"] });
    const ownClients = new Clients(own);
    try {
      const [ann, ben] = [tokenUser("Ann"), tokenUser("Ben")];
      const [a] = await Promise.all([ownClients.connect(ann.token), ownClients.connect(ben.token)]);
      const { conversation } = await ok(a, "create_conversation", { title: "t", memberIds: [ben.id] });
      await ok(a, "update_conversation", { conversationId: conversation.id, title: "u" });
      await refused(a, "set_role", { conversationId: conversation.id, userId: ben.id, role: "admin" }, "RATE_LIMITED");
      await ok(a, "get_conversation", { conversationId: conversation.id });
      await refused(a, "list_conversations", {}, "RATE_LIMITED");
      await refused(a, "get_receipts", { conversationId: conversation.id }, "RATE_LIMITED");
    } finally {
      ownClients.closeAll();
      await own.stop();
    }
  });
});

describe("read state", () => {
  test("unread counts across two devices; mark_read pushes unread_updated to both and read_receipt to the sender", async () => {
    const [ann, ben] = await people("Ann", "Ben");
    const ben2 = await clients.connect(ben.token);
    const c = await group(ann, [ben]);
    let last;
    for (let i = 0; i < 3; ++i) last = await ok(ann.socket, "send_message", { conversationId: c.id, content: `m${i}` });
    assert.equal((await ok(ben.socket, "get_conversation", { conversationId: c.id })).conversation.unreadCount, 3);
    assert.equal((await ok(ann.socket, "get_conversation", { conversationId: c.id })).conversation.unreadCount, 0);
    const updates = [ben.socket, ben2].map((s) => waitFor(s, "unread_updated"));
    const receipt = waitFor(ann.socket, "read_receipt");
    const marked = await ok(ben.socket, "mark_read", { conversationId: c.id, seq: last.seq - 1 });
    assert.equal(marked.unreadCount, 1);
    for (const u of await Promise.all(updates)) {
      assert.deepEqual(u[0], { conversationId: c.id, unreadCount: 1, lastReadSeq: last.seq - 1 });
    }
    const [r] = await receipt;
    assert.deepEqual([r.conversationId, r.userId, r.seq], [c.id, ben.id, last.seq - 1]);
    assert.match(r.readAt, ISO_MS);
    // Never backwards; above lastSeq: clamped.
    assert.equal((await ok(ben2, "mark_read", { conversationId: c.id, seq: 1 })).unreadCount, 1);
    assert.equal((await ok(ben2, "mark_read", { conversationId: c.id, seq: 10_000 })).unreadCount, 0);
    const list = await ok(ben.socket, "list_conversations", {});
    const entry = list.conversations.find((x) => x.id === c.id);
    assert.deepEqual([entry.unreadCount, entry.lastReadSeq], [0, last.seq]);
    const delivered = waitFor(ann.socket, "delivery_receipt");
    const third = await ok(ann.socket, "send_message", { conversationId: c.id, content: "one more" });
    await ok(ben.socket, "mark_delivered", { conversationId: c.id, seq: third.seq });
    assert.deepEqual([(await delivered)[0].userId, (await delivered)[0].seq], [ben.id, third.seq]);
    const { receipts } = await ok(ann.socket, "get_receipts", { conversationId: c.id });
    assert.deepEqual(receipts.find((x) => x.userId === ben.id), { userId: ben.id, readSeq: last.seq, deliveredSeq: third.seq });
  });

  test("list_conversations: most recent activity first, paged by nextCursor", async () => {
    const [ann, ben, cid] = await people("Ann", "Ben", "Cid");
    const ids = [];
    for (let i = 0; i < 3; ++i) ids.push((await group(ann, [i % 2 ? ben : cid], `g${i}`)).id);
    await ok(ann.socket, "send_message", { receiverId: ben.id, content: "a direct one" });
    const first = await ok(ann.socket, "list_conversations", { limit: 2 });
    assert.equal(first.conversations.length, 2);
    assert.equal(first.conversations[0].kind, "direct");
    assert.equal(first.conversations[0].title, null);
    assert.equal(first.conversations[0].lastMessage.receiverId, ben.id);
    assert.equal(typeof first.nextCursor, "string");
    const second = await ok(ann.socket, "list_conversations", { limit: 2, before: first.nextCursor });
    assert.deepEqual([...first.conversations, ...second.conversations].slice(1).map((x) => x.id), [...ids].reverse());
    assert.equal(second.nextCursor, null);
  });
});
