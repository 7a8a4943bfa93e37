// Changing messages (docs/api.md "Changing messages"), over the wire with the official client:
// edits with their earlier versions, deletions as tombstones with exact unread counts and list,
// reactions, replies; who may do each and who is told (never a non-member); every change a log
// entry with its own seq, gap-free with the messages around it, also under concurrent changes.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Clients, ISO_MS, ack, group, history, ok, peopleOf, record, refused, startParley, waitFor, waitForMatching } from "./helpers.mjs";

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
const say = (socket, conversationId, content, extra = {}) =>
  ok(socket, "send_message", { conversationId, content, ...extra });
const messagesOf = async (socket, conversationId) => (await history(socket, { conversationId, limit: 200 })).list;
const conversationOf = async (socket, conversationId) =>
  (await ok(socket, "get_conversation", { conversationId })).conversation;

describe("edit_message", () => {
  test("the sender edits: members get the whole new message with editedAt and the edit's own seq", async () => {
    const [ann, ben, stranger] = await people("Ann", "Ben", "Stranger");
    const team = await group(ann, [ben]);
    const sent = await say(ann.socket, team.id, "see you at 5");
    const strangerHeard = record(stranger.socket, "message_updated").seen;
    const benHears = waitFor(ben.socket, "message_updated");
    const answer = await ok(ann.socket, "edit_message", { messageId: sent.messageId, content: "see you at 6" });
    assert.equal(answer.seq, sent.seq + 1, "the edit takes the next seq");
    assert.equal(answer.message.content, "see you at 6");
    assert.equal(answer.message.seq, sent.seq, "the message keeps its own seq");
    assert.match(answer.message.editedAt, ISO_MS);
    const [pushed] = await benHears;
    assert.deepEqual(pushed, { conversationId: team.id, seq: answer.seq, message: answer.message });
    assert.equal(pushed.message.receiverId, null);
    assert.equal(pushed.message.senderId, ann.id);

    // History shows the current text; the versions are kept, oldest first.
    const [shown] = (await messagesOf(ben.socket, team.id)).filter((m) => m.id === sent.messageId);
    assert.equal(shown.content, "see you at 6");
    assert.equal(shown.editedAt, answer.message.editedAt);
    await ok(ann.socket, "edit_message", { messageId: sent.messageId, content: "see you at 7" });
    const { revisions } = await ok(ben.socket, "get_message_history", { messageId: sent.messageId });
    assert.deepEqual(revisions.map((r) => r.content), ["see you at 5", "see you at 6", "see you at 7"]);
    assert.equal(revisions[0].editedAt, null);
    assert.equal(revisions[1].editedAt, answer.message.editedAt);
    assert.match(revisions[2].editedAt, ISO_MS);
    assert.equal((await conversationOf(ann.socket, team.id)).lastMessage.content, "see you at 7");
    assert.equal(strangerHeard.length, 0, "a non-member hears of no edit");
  });

  test("only the sender, only text, only valid content; the same text again changes nothing", async () => {
    const [ann, ben, stranger] = await people("Ann", "Ben", "Stranger");
    const team = await group(ann, [ben]);
    const sent = await say(ann.socket, team.id, "hello");
    await refused(ben.socket, "edit_message", { messageId: sent.messageId, content: "hacked" }, "FORBIDDEN",
      "Not allowed: only its sender can edit a message");
    await refused(stranger.socket, "edit_message", { messageId: sent.messageId, content: "x" }, "FORBIDDEN");
    await refused(stranger.socket, "get_message_history", { messageId: sent.messageId }, "FORBIDDEN");
    await refused(ann.socket, "edit_message", { messageId: sent.messageId, content: "   " }, "INVALID_ARGUMENT");
    await refused(ann.socket, "edit_message", { messageId: sent.messageId, content: "x".repeat(5001) }, "TOO_LARGE");
    await refused(ann.socket, "edit_message", { messageId: "1", content: "x" }, "INVALID_ARGUMENT", "Invalid messageId");
    await refused(ann.socket, "edit_message", { content: "x" }, "INVALID_ARGUMENT", "Invalid messageId");
    await refused(ann.socket, "edit_message", { messageId: 9_000_000_000, content: "x" }, "NOT_FOUND", "Not found: message not found");
    // The group's `created` entry is a system message: never edited, even by its actor.
    const [created] = await messagesOf(ann.socket, team.id);
    assert.equal(created.kind, "system");
    await refused(ann.socket, "edit_message", { messageId: created.id, content: "x" }, "INVALID_ARGUMENT");
    const benHeard = record(ben.socket, "message_updated").seen;
    const same = await ok(ann.socket, "edit_message", { messageId: sent.messageId, content: "hello" });
    assert.equal(same.seq, undefined, "nothing changed: no log entry");
    assert.equal(same.message.editedAt, undefined);
    assert.equal((await conversationOf(ann.socket, team.id)).lastSeq, sent.seq, "no seq taken");
    await say(ann.socket, team.id, "sync");
    assert.equal(benHeard.length, 0);
  });

  test("a direct message's update names its receiver, as receive_message does", async () => {
    const [ann, ben] = await people("Ann", "Ben");
    const sent = await ok(ann.socket, "send_message", { receiverId: ben.id, content: "hi" });
    const benHears = waitFor(ben.socket, "message_updated");
    await ok(ann.socket, "edit_message", { messageId: sent.messageId, content: "hi!" });
    const [{ message }] = await benHears;
    assert.equal(message.receiverId, ben.id);
    assert.equal(message.receiverName, ben.name);
    assert.equal(message.content, "hi!");
  });
});

describe("delete_message", () => {
  test("a tombstone stays in history; the text and its versions are gone; members are told", async () => {
    const [ann, ben, stranger] = await people("Ann", "Ben", "Stranger");
    const team = await group(ann, [ben]);
    const sent = await say(ann.socket, team.id, "secret v1");
    await ok(ann.socket, "edit_message", { messageId: sent.messageId, content: "secret v2" });
    await ok(ben.socket, "add_reaction", { messageId: sent.messageId, emoji: "👍" });
    const strangerHeard = record(stranger.socket, "message_deleted").seen;
    const benHears = waitFor(ben.socket, "message_deleted");
    const answer = await ok(ann.socket, "delete_message", { messageId: sent.messageId });
    assert.equal(answer.messageId, sent.messageId);
    assert.equal(answer.seq, sent.seq + 3);
    const [pushed] = await benHears;
    assert.equal(pushed.conversationId, team.id);
    assert.equal(pushed.seq, answer.seq);
    assert.equal(pushed.messageId, sent.messageId);
    assert.equal(pushed.deletedBy, ann.id);
    assert.match(pushed.deletedAt, ISO_MS);
    const [tombstone] = (await messagesOf(ben.socket, team.id)).filter((m) => m.id === sent.messageId);
    assert.equal(tombstone.deleted, true);
    assert.equal(tombstone.content, "");
    assert.deepEqual(tombstone.attachments, []);
    assert.deepEqual(tombstone.reactions, []);
    assert.equal(tombstone.seq, sent.seq);
    assert.equal(tombstone.senderId, ann.id);
    assert.match(tombstone.createdAt, ISO_MS);
    assert.deepEqual((await ok(ben.socket, "get_message_history", { messageId: sent.messageId })).revisions, []);
    // Deleted is deleted: again succeeds and changes nothing; no edit, no reaction.
    const again = await ok(ann.socket, "delete_message", { messageId: sent.messageId });
    assert.equal(again.seq, undefined);
    await refused(ann.socket, "edit_message", { messageId: sent.messageId, content: "back" }, "CONFLICT");
    await refused(ben.socket, "add_reaction", { messageId: sent.messageId, emoji: "👍" }, "CONFLICT");
    await refused(ann.socket, "send_message", { conversationId: team.id, content: "re", replyToId: sent.messageId },
      "INVALID_ARGUMENT", "Invalid: replyToId is not a message of this conversation");
    assert.equal(strangerHeard.length, 0);
  });

  test("after leaving a group, one's own messages there can be neither edited, deleted, reacted to nor read back", async () => {
    const [ann, ben] = await people("Ann", "Ben");
    const team = await group(ann, [ben]);
    const bens = await say(ben.socket, team.id, "before I go");
    await ok(ben.socket, "leave_conversation", { conversationId: team.id });
    const annHeard = record(ann.socket, "message_updated").seen;
    const annHeardDeleted = record(ann.socket, "message_deleted").seen;
    for (const [event, payload] of [
      ["edit_message", { messageId: bens.messageId, content: "rewritten" }],
      ["delete_message", { messageId: bens.messageId }],
      ["add_reaction", { messageId: bens.messageId, emoji: "👋" }],
      ["get_message_history", { messageId: bens.messageId }],
    ]) {
      await refused(ben.socket, event, payload, "FORBIDDEN", "Not allowed: not a member of this message's conversation");
    }
    await say(ann.socket, team.id, "sync");
    assert.deepEqual([annHeard, annHeardDeleted], [[], []], "nothing changed, nothing pushed");
    const kept = (await messagesOf(ann.socket, team.id)).find((m) => m.id === bens.messageId);
    assert.equal(kept.content, "before I go");
    assert.equal(kept.deleted ?? false, false);
  });

  test("the sender, or a group's owner or admin; never another member, nor the other side of a direct chat", async () => {
    const [ann, ben, cid] = await people("Ann", "Ben", "Cid");
    const team = await group(ann, [ben, cid]);
    const bens = await say(ben.socket, team.id, "from Ben");
    const cids = await say(cid.socket, team.id, "from Cid");
    await refused(cid.socket, "delete_message", { messageId: bens.messageId }, "FORBIDDEN",
      "Not allowed: only its sender, or a group's owner or admin, can delete a message");
    await ok(ann.socket, "delete_message", { messageId: bens.messageId });  // the owner
    await ok(ann.socket, "set_role", { conversationId: team.id, userId: ben.id, role: "admin" });
    await ok(ben.socket, "delete_message", { messageId: cids.messageId });  // an admin
    const direct = await ok(ann.socket, "send_message", { receiverId: cid.id, content: "just us" });
    await refused(cid.socket, "delete_message", { messageId: direct.messageId }, "FORBIDDEN");
    await ok(ann.socket, "delete_message", { messageId: direct.messageId });
  });

  test("unread counts and the list's last message stay exact", async () => {
    const [ann, ben] = await people("Ann", "Ben");
    const team = await group(ann, [ben]);
    const first = await say(ann.socket, team.id, "one");
    const second = await say(ann.socket, team.id, "two");
    assert.equal((await conversationOf(ben.socket, team.id)).unreadCount, 2);
    const benUnread = waitFor(ben.socket, "unread_updated");
    const annHeard = record(ann.socket, "unread_updated").seen;
    await ok(ann.socket, "delete_message", { messageId: second.messageId });
    assert.deepEqual((await benUnread)[0], { conversationId: team.id, unreadCount: 1, lastReadSeq: 1 });
    const seen = await conversationOf(ben.socket, team.id);
    assert.equal(seen.unreadCount, 1);
    assert.equal(seen.lastMessage.id, first.messageId, "the last message is the newest one left");
    const { conversations } = await ok(ben.socket, "list_conversations", {});
    const listed = conversations.find((c) => c.id === team.id);
    assert.equal(listed.lastMessage.id, first.messageId);
    assert.equal(listed.unreadCount, 1);
    assert.equal(listed.lastSeq, second.seq + 1);
    assert.equal(annHeard.length, 0, "the sender's own count did not change");
  });
});

describe("reactions", () => {
  test("add and remove: members get the full current list with the change's seq", async () => {
    const [ann, ben, stranger] = await people("Ann", "Ben", "Stranger");
    const team = await group(ann, [ben]);
    const sent = await say(ann.socket, team.id, "lunch?");
    await refused(stranger.socket, "add_reaction", { messageId: sent.messageId, emoji: "👍" }, "FORBIDDEN");
    const annHears = waitFor(ann.socket, "reaction_updated");
    const byBen = await ok(ben.socket, "add_reaction", { messageId: sent.messageId, emoji: "👍" });
    assert.deepEqual(byBen.reactions, [{ emoji: "👍", userIds: [ben.id] }]);
    assert.deepEqual((await annHears)[0],
      { conversationId: team.id, seq: sent.seq + 1, messageId: sent.messageId, reactions: byBen.reactions });
    await ok(ann.socket, "add_reaction", { messageId: sent.messageId, emoji: "👍" });
    const party = await ok(ann.socket, "add_reaction", { messageId: sent.messageId, emoji: ":party_parrot:" });
    assert.deepEqual(party.reactions, [{ emoji: "👍", userIds: [ben.id, ann.id] }, { emoji: ":party_parrot:", userIds: [ann.id] }]);
    const twice = await ok(ann.socket, "add_reaction", { messageId: sent.messageId, emoji: "👍" });
    assert.equal(twice.seq, undefined, "already there: nothing changes");
    const removed = await ok(ben.socket, "remove_reaction", { messageId: sent.messageId, emoji: "👍" });
    assert.deepEqual(removed.reactions, [{ emoji: "👍", userIds: [ann.id] }, { emoji: ":party_parrot:", userIds: [ann.id] }]);
    const notThere = await ok(ben.socket, "remove_reaction", { messageId: sent.messageId, emoji: "🎉" });
    assert.equal(notThere.seq, undefined);
    const [shown] = (await messagesOf(ben.socket, team.id)).filter((m) => m.id === sent.messageId);
    assert.deepEqual(shown.reactions, removed.reactions);
    assert.deepEqual((await conversationOf(ben.socket, team.id)).lastMessage.reactions, removed.reactions);
  });

  test("one emoji or a short name; a bounded number per user", async () => {
    const [ann, ben] = await people("Ann", "Ben");
    const team = await group(ann, [ben]);
    const sent = await say(ann.socket, team.id, "emoji test");
    for (const emoji of ["🇫🇷", "👨‍👩‍👧‍👦", "👍🏽", "1️⃣", "❤️"]) {
      await ok(ben.socket, "add_reaction", { messageId: sent.messageId, emoji });
    }
    for (const emoji of ["", "a", "👍👍", "hello", ":Bad Name:", "::", 7, " 👍", `:${"a".repeat(33)}:`]) {
      await refused(ben.socket, "add_reaction", { messageId: sent.messageId, emoji }, "INVALID_ARGUMENT",
        "Invalid emoji: one emoji, or a short name such as :thumbsup:");
    }
    for (const emoji of ["😀", "😃", "😄", "😁", "😆"]) await ok(ben.socket, "add_reaction", { messageId: sent.messageId, emoji });
    await refused(ben.socket, "add_reaction", { messageId: sent.messageId, emoji: "😅" }, "CONFLICT");
    await ok(ann.socket, "add_reaction", { messageId: sent.messageId, emoji: "😅" });  // another user may
  });
});

describe("replies", () => {
  test("replyToId: a message of the same conversation, carried by the message everywhere", async () => {
    const [ann, ben, cid] = await people("Ann", "Ben", "Cid");
    const team = await group(ann, [ben]);
    const other = await group(ann, [cid], "Other");
    const question = await say(ann.socket, team.id, "who's in?");
    const elsewhere = await say(ann.socket, other.id, "not here");
    // Matched by content: Ann's own messages' pushes may still be on their way.
    const annHears = waitForMatching(ann.socket, "receive_message", (m) => m.content === "me" && m.senderId === ben.id);
    const answer = await say(ben.socket, team.id, "me", { replyToId: question.messageId });
    const [pushed] = await annHears;
    assert.equal(pushed.replyToId, question.messageId);
    const [shown] = (await messagesOf(ann.socket, team.id)).filter((m) => m.id === answer.messageId);
    assert.equal(shown.replyToId, question.messageId);
    assert.equal((await messagesOf(ann.socket, team.id)).find((m) => m.id === question.messageId).replyToId, undefined);
    const lastSeq = (await conversationOf(ann.socket, team.id)).lastSeq;
    for (const replyToId of [elsewhere.messageId, 9_000_000_000]) {
      await refused(ben.socket, "send_message", { conversationId: team.id, content: "x", replyToId }, "INVALID_ARGUMENT",
        "Invalid: replyToId is not a message of this conversation");
    }
    await refused(ben.socket, "send_message", { conversationId: team.id, content: "x", replyToId: "1" }, "INVALID_ARGUMENT",
      "Invalid replyToId");
    assert.equal((await conversationOf(ann.socket, team.id)).lastSeq, lastSeq, "a refused reply takes no seq");
    // The seed's form too.
    const direct = await ok(ann.socket, "send_message", { receiverId: cid.id, content: "ping" });
    const reply = await ok(cid.socket, "send_message", { receiverId: ann.id, content: "pong", replyToId: direct.messageId });
    assert.equal(reply.conversationId, direct.conversationId);
    await refused(cid.socket, "send_message", { receiverId: ben.id, content: "x", replyToId: direct.messageId },
      "INVALID_ARGUMENT", "Invalid: replyToId is not a message of this conversation");
    const { conversations } = await ok(ben.socket, "list_conversations", {});
    assert.equal(conversations.some((c) => c.kind === "direct" && c.members.some((m) => m.id === cid.id)), false,
      "a refused reply creates no conversation");
  });
});

describe("the log", () => {
  test("messages and changes share one gap-free sequence, also when members change things at once", async () => {
    const [ann, ben, cid, dan] = await people("Ann", "Ben", "Cid", "Dan");
    const team = await group(ann, [ben, cid, dan]);
    const sent = await say(ann.socket, team.id, "react to me");
    const seqs = [];
    const sockets = [ann, ben, cid, dan];
    const emojis = ["😀", "😃", "😄", "😁", "😆"];
    await Promise.all(sockets.flatMap((p) => emojis.map(async (emoji) => {
      const answer = await ok(p.socket, "add_reaction", { messageId: sent.messageId, emoji });
      seqs.push(answer.seq);
    })));
    const edits = await Promise.all([1, 2, 3].map((n) => ok(ann.socket, "edit_message", { messageId: sent.messageId, content: `v${n}` })));
    for (const e of edits) seqs.push(e.seq);
    const next = await say(ben.socket, team.id, "after");
    seqs.sort((a, b) => a - b);
    assert.deepEqual(seqs, Array.from({ length: 23 }, (_, i) => sent.seq + 1 + i));
    assert.equal(next.seq, sent.seq + 24);
    const messages = await messagesOf(cid.socket, team.id);
    assert.deepEqual(messages.map((m) => m.content).slice(-2), [edits.at(-1).message.content, "after"]);
    const [message] = messages.filter((m) => m.id === sent.messageId);
    assert.equal(message.reactions.length, 5);
    for (const r of message.reactions) assert.equal(r.userIds.length, 4);
  });
});
