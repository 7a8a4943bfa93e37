// The web client's pure parts, in Node (no browser): links cut out of message text, the
// conversation list's bookkeeping (order, unread counts, the preview of an edited or deleted
// last message), receipts into message states, system entries into sentences, who is typing
// into a line, and the changes to messages (edits, deletions, reactions applied in log order;
// which actions a message offers; what a reply quotes).
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { Inbox } from "../../web/js/inbox.js";
import { actionsFor } from "../../web/js/message-actions.js";
import {
  CHANGES, DELETED_TEXT, applyCopy, applyDeletion, applyEdit, applyReactions, changedMessageId, entryOf,
} from "../../web/js/message-changes.js";
import { quoteOf, replyingText, snippet } from "../../web/js/quotes.js";
import { chipsOf, toggleEvent } from "../../web/js/reactions.js";
import { Receipts } from "../../web/js/receipts.js";
import { systemText } from "../../web/js/system-text.js";
import { linkParts } from "../../web/js/text.js";
import { MAX_ASKED, PresenceBook, batches, presenceText } from "../../web/js/presence.js";
import { typingText } from "../../web/js/typing.js";

describe("linkParts", () => {
  test("plain text is one part", () => {
    assert.deepEqual(linkParts("no link here"), [{ text: "no link here" }]);
  });

  test("http(s) and www addresses become links; sentence punctuation stays outside", () => {
    assert.deepEqual(linkParts("see https://example.com/a?b=1. and www.parley.dev!"), [
      { text: "see " },
      { text: "https://example.com/a?b=1", href: "https://example.com/a?b=1" },
      { text: ". and " },
      { text: "www.parley.dev", href: "https://www.parley.dev/" },
      { text: "!" },
    ]);
  });

  test("a bracket that belongs to the address is kept", () => {
    const parts = linkParts("(https://en.wikipedia.org/wiki/Foo_(bar))");
    assert.deepEqual(parts.map((p) => p.text), ["(", "https://en.wikipedia.org/wiki/Foo_(bar)", ")"]);
  });

  test("javascript: and other schemes stay text; the parts always cover the whole text", () => {
    for (const text of ["javascript:alert(1)", "data:text/html,<b>x</b>", "<a href=https://x.y>", "ftp://a.b", ""]) {
      const parts = linkParts(text);
      assert.equal(parts.map((p) => p.text).join(""), text);
      for (const p of parts) if (p.href) assert.match(p.href, /^https?:\/\//);
    }
    assert.equal(linkParts("javascript:alert(1)").some((p) => p.href), false);
  });
});

describe("Inbox", () => {
  const me = "u-me";
  const conv = (id, at, extra = {}) => ({
    id, kind: "direct", title: null, members: [{ id: me, name: "Me" }, { id: `u-${id}`, name: `P${id}` }],
    createdAt: at, lastSeq: 1, lastMessage: { id: id * 10, seq: 1, senderId: `u-${id}`, createdAt: at, kind: "text" },
    unreadCount: 0, lastReadSeq: 0, myRole: "member", ...extra,
  });

  test("most recent activity first; a new message moves its conversation to the top", () => {
    const inbox = new Inbox(me);
    inbox.addPage([conv(1, "2025-01-03T00:00:00.000Z"), conv(2, "2025-01-02T00:00:00.000Z")], null, { first: true });
    assert.deepEqual(inbox.ordered().map((c) => c.id), [1, 2]);
    const message = { id: 99, seq: 2, conversationId: 2, senderId: "u-2", kind: "text", createdAt: "2025-01-04T00:00:00.000Z" };
    assert.equal(inbox.onMessage(message, { readingNow: false }), true);
    assert.deepEqual(inbox.ordered().map((c) => c.id), [2, 1]);
    assert.equal(inbox.get(2).unreadCount, 1);
    assert.equal(inbox.totalUnread(), 1);
  });

  test("own messages, system entries and what is being read add no unread", () => {
    const inbox = new Inbox(me);
    inbox.addPage([conv(1, "2025-01-01T00:00:00.000Z")], null, { first: true });
    const at = "2025-01-05T00:00:00.000Z";
    inbox.onMessage({ id: 1, seq: 2, conversationId: 1, senderId: me, kind: "text", createdAt: at }, { readingNow: false });
    inbox.onMessage({ id: 2, seq: 3, conversationId: 1, senderId: "u-1", kind: "system", createdAt: at }, { readingNow: false });
    inbox.onMessage({ id: 3, seq: 4, conversationId: 1, senderId: "u-1", kind: "text", createdAt: at }, { readingNow: true });
    assert.equal(inbox.get(1).unreadCount, 0);
    assert.equal(inbox.get(1).lastMessage.id, 3);
  });

  test("a message of an unknown conversation is left to the server; unread_updated is exact", () => {
    const inbox = new Inbox(me);
    assert.equal(inbox.onMessage({ id: 1, seq: 1, conversationId: 7, senderId: "u-7", kind: "text" }, { readingNow: false }), false);
    inbox.upsert(conv(7, "2025-01-01T00:00:00.000Z", { unreadCount: 3, lastReadSeq: 2 }));
    assert.deepEqual(inbox.setUnread(7, 0, 5), { changed: true, stale: false });
    assert.equal(inbox.get(7).unreadCount, 0);
    assert.equal(inbox.setUnread(7, 2, 4).changed, false, "an older marker does not undo a newer one");
    assert.equal(inbox.get(7).unreadCount, 0);
  });

  test("an answer computed before a pushed message does not lose it", () => {
    const inbox = new Inbox(me);
    inbox.upsert(conv(3, "2025-01-01T00:00:00.000Z", { lastSeq: 25, lastReadSeq: 20, unreadCount: 5 }));
    inbox.onMessage({ id: 9, seq: 26, conversationId: 3, senderId: "u-3", kind: "text" }, { readingNow: false });
    assert.equal(inbox.get(3).unreadCount, 6);
    // mark_read up to 25, answered as of before 26 was stored: the figure may be stale.
    assert.deepEqual(inbox.setUnread(3, 0, 25), { changed: true, stale: true });
    // The snapshot asked for then counts 26 itself ...
    inbox.upsert(conv(3, "2025-01-01T00:00:00.000Z", { lastSeq: 26, lastReadSeq: 25, unreadCount: 1 }));
    assert.equal(inbox.get(3).unreadCount, 1);
    // ... and one from before 26 (lastSeq 25) gets it added back.
    inbox.upsert(conv(3, "2025-01-01T00:00:00.000Z", { lastSeq: 25, lastReadSeq: 25, unreadCount: 0 }));
    assert.equal(inbox.get(3).unreadCount, 1);
    // Read up to 26: nothing pushed past it, the figure stands.
    assert.deepEqual(inbox.setUnread(3, 0, 26), { changed: true, stale: false });
    assert.equal(inbox.get(3).unreadCount, 0);
    // A snapshot older than that read keeps the read.
    inbox.upsert(conv(3, "2025-01-01T00:00:00.000Z", { lastSeq: 26, lastReadSeq: 25, unreadCount: 1 }));
    assert.equal(inbox.get(3).unreadCount, 0);
  });

  test("titles: the group's, or the other person's name; the direct conversation with a person", () => {
    const inbox = new Inbox(me);
    inbox.upsert(conv(1, "2025-01-01T00:00:00.000Z"));
    inbox.upsert({ ...conv(2, "2025-01-01T00:00:00.000Z"), kind: "group", title: "Trip" });
    assert.equal(inbox.titleOf(inbox.get(1)), "P1");
    assert.equal(inbox.titleOf(inbox.get(2)), "Trip");
    assert.equal(inbox.directWith("u-1").id, 1);
    assert.equal(inbox.directWith("u-2"), null, "a group is not a direct conversation");
  });
});

describe("Inbox previews of changed messages", () => {
  const me = "u-me";
  const last = { id: 5, seq: 5, senderId: "u-b", kind: "text", content: "see you at 8", createdAt: "2025-01-01T00:00:00.000Z" };
  const inboxWith = () => {
    const inbox = new Inbox(me);
    inbox.upsert({ id: 1, kind: "direct", members: [], createdAt: last.createdAt, lastSeq: 5, lastMessage: last, unreadCount: 0, lastReadSeq: 5 });
    return inbox;
  };

  test("an edit of the last message changes the preview; of an older one, nothing", () => {
    const inbox = inboxWith();
    assert.equal(inbox.onMessageChange("message_updated", { conversationId: 1, seq: 6, message: { ...last, id: 4, content: "x" } }), false);
    assert.equal(inbox.onMessageChange("message_updated", { conversationId: 1, seq: 7, message: { ...last, content: "see you at 9", editedAt: "2025-01-01T00:01:00.000Z" } }), true);
    assert.equal(inbox.get(1).lastMessage.content, "see you at 9");
    assert.equal(inbox.onMessageChange("reaction_updated", { conversationId: 1, seq: 8, messageId: 5, reactions: [] }), false);
  });

  test("a deleted last message becomes a tombstone; conversations not loaded are left alone", () => {
    const inbox = inboxWith();
    assert.equal(inbox.onMessageChange("message_deleted", { conversationId: 2, seq: 6, messageId: 5 }), false);
    assert.equal(inbox.onMessageChange("message_deleted", { conversationId: 1, seq: 6, messageId: 5, deletedBy: "u-b" }), true);
    assert.equal(inbox.get(1).lastMessage.deleted, true);
    assert.equal(inbox.get(1).lastMessage.content, "");
    assert.equal(inbox.onMessageChange("message_updated", { conversationId: 1, seq: 7, message: last }), false, "deletion is final");
    // The server's view afterwards names the newest message left: it replaces the tombstone.
    const earlier = { ...last, id: 4, seq: 4, content: "earlier" };
    inbox.upsert({ id: 1, kind: "direct", members: [], createdAt: last.createdAt, lastSeq: 6, lastMessage: earlier, unreadCount: 0, lastReadSeq: 6 });
    assert.equal(inbox.get(1).lastMessage.content, "earlier");
  });
});

describe("message changes", () => {
  const message = { id: 7, seq: 3, kind: "text", senderId: "a", content: "hi", reactions: [], attachments: [] };
  const thumbs = [{ emoji: "👍", userIds: ["b"] }];

  test("a reaction_updated replaces the reactions; an older or repeated one changes nothing", () => {
    const reacted = applyReactions(entryOf(message), { seq: 5, messageId: 7, reactions: thumbs });
    assert.deepEqual(reacted.message.reactions, thumbs);
    assert.equal(reacted.changeSeq, 5);
    assert.equal(reacted.message.seq, 3, "the message keeps its own seq");
    assert.equal(applyReactions(reacted, { seq: 5, reactions: [] }), null, "the same change twice");
    assert.equal(applyReactions(reacted, { seq: 4, reactions: [] }), null, "an ack overtaken by a newer push");
    assert.equal(applyReactions(reacted, { reactions: [] }), null, "an answer without seq changed nothing");
    assert.deepEqual(applyReactions(reacted, { seq: 6, reactions: [] }).message.reactions, []);
  });

  test("an edit brings the whole message; a deletion leaves a tombstone and is final", () => {
    const edited = applyEdit(entryOf(message), { seq: 4, message: { ...message, content: "hello", editedAt: "2025-01-01T00:00:01.000Z", reactions: thumbs } });
    assert.equal(edited.message.content, "hello");
    assert.deepEqual(edited.message.reactions, thumbs);
    const deleted = applyDeletion(edited, { seq: 5, messageId: 7, deletedBy: "a", deletedAt: "2025-01-01T00:00:02.000Z" });
    assert.equal(deleted.message.deleted, true);
    assert.equal(deleted.message.content, "");
    assert.deepEqual(deleted.message.reactions, []);
    assert.equal(deleted.message.id, 7);
    assert.equal(deleted.message.senderId, "a", "its sender and time are kept");
    assert.equal(applyEdit(deleted, { seq: 9, message: { ...message, content: "back" } }), null);
    assert.equal(applyReactions(deleted, { seq: 9, reactions: thumbs }), null);
    assert.equal(applyDeletion(deleted, { seq: 9 }), null);
  });

  test("CHANGES and changedMessageId name each push's change and message", () => {
    assert.equal(CHANGES.message_updated, applyEdit);
    assert.equal(CHANGES.message_deleted, applyDeletion);
    assert.equal(CHANGES.reaction_updated, applyReactions);
    assert.equal(changedMessageId("message_updated", { seq: 9, message: { id: 7 } }), 7);
    assert.equal(changedMessageId("message_deleted", { seq: 9, messageId: 8 }), 8);
    assert.equal(changedMessageId("reaction_updated", { seq: 9, messageId: 9 }), 9);
  });

  test("a page's copy replaces what is shown, unless it is older than a pushed edit or deletion", () => {
    const edited = applyEdit(entryOf(message), { seq: 4, message: { ...message, content: "hello", editedAt: "2025-01-01T00:00:01.000Z" } });
    assert.equal(applyCopy(edited, message), null, "the text before the edit");
    const later = { ...message, content: "hello!", editedAt: "2025-01-01T00:00:05.000Z", reactions: thumbs };
    assert.deepEqual(applyCopy(edited, later).message, { ...message, ...later });
    const deleted = applyDeletion(edited, { seq: 5 });
    assert.equal(applyCopy(deleted, later), null, "the text a deletion erased");
    assert.equal(applyCopy(entryOf(message), { ...message, deleted: true, content: "" }).message.deleted, true);
  });
});

describe("actionsFor", () => {
  const mine = { id: 1, kind: "text", senderId: "me", content: "x" };
  const theirs = { ...mine, senderId: "them" };

  test("anyone reacts and replies; the sender edits and deletes", () => {
    assert.deepEqual(actionsFor(mine, { myId: "me", myRole: "member" }), ["react", "reply", "edit", "delete"]);
    assert.deepEqual(actionsFor(theirs, { myId: "me", myRole: "member" }), ["react", "reply"]);
  });

  test("a group's owner or admin deletes others' messages too, but edits only their own", () => {
    assert.deepEqual(actionsFor(theirs, { myId: "me", myRole: "owner" }), ["react", "reply", "delete"]);
    assert.deepEqual(actionsFor(theirs, { myId: "me", myRole: "admin" }), ["react", "reply", "delete"]);
    assert.deepEqual(actionsFor(theirs, { myId: "me", myRole: null }), ["react", "reply"], "a role not known yet");
  });

  test("system entries, tombstones and messages not stored yet offer nothing", () => {
    assert.deepEqual(actionsFor({ ...mine, kind: "system" }, { myId: "me", myRole: "owner" }), []);
    assert.deepEqual(actionsFor({ ...mine, deleted: true }, { myId: "me", myRole: "owner" }), []);
    assert.deepEqual(actionsFor({ content: "sending", senderId: "me" }, { myId: "me", myRole: "owner" }), []);
  });
});

describe("reactions", () => {
  test("chips count each emoji's people, pressed when one is mine; empty ones are left out", () => {
    const reactions = [{ emoji: "👍", userIds: ["a", "me"] }, { emoji: ":party_parrot:", userIds: ["b"] }, { emoji: "😢", userIds: [] }];
    assert.deepEqual(chipsOf(reactions, "me").map(({ emoji, count, mine }) => ({ emoji, count, mine })), [
      { emoji: "👍", count: 2, mine: true },
      { emoji: ":party_parrot:", count: 1, mine: false },
    ]);
    assert.deepEqual(chipsOf(undefined, "me"), []);
  });

  test("choosing an emoji adds one's reaction, or takes it back", () => {
    const reactions = [{ emoji: "👍", userIds: ["me"] }, { emoji: "❤️", userIds: ["a"] }];
    assert.equal(toggleEvent(reactions, "👍", "me"), "remove_reaction");
    assert.equal(toggleEvent(reactions, "❤️", "me"), "add_reaction");
    assert.equal(toggleEvent([], "🎉", "me"), "add_reaction");
  });
});

describe("quotes", () => {
  const names = { myId: "me", nameOf: (id) => ({ a: "Ann" })[id] ?? "someone" };

  test("a snippet is one line, cut with an ellipsis, never inside an emoji", () => {
    assert.equal(snippet("  two\n lines  "), "two lines");
    assert.equal(snippet("abcdefghij", 5), "abcd…");
    assert.equal(snippet("😀😀😀😀😀😀", 4), "😀😀😀…");
  });

  test("the quote names the sender (You for oneself), or says a message when not loaded", () => {
    assert.deepEqual(quoteOf({ senderId: "a", content: "Lunch?" }, names), { who: "Ann", text: "Lunch?" });
    assert.deepEqual(quoteOf({ senderId: "a", senderName: "Ann B.", content: "Lunch?" }, names), { who: "Ann B.", text: "Lunch?" });
    assert.deepEqual(quoteOf({ senderId: "me", content: "", deleted: true }, names), { who: "You", text: DELETED_TEXT });
    assert.equal(quoteOf(null, names), null);
    assert.equal(replyingText({ senderId: "a", content: "Lunch?" }, names), "Replying to Ann: Lunch?");
    assert.equal(replyingText({ senderId: "me", content: "Lunch?" }, names), "Replying to yourself: Lunch?");
    assert.equal(replyingText(null, names), "Replying to a message");
  });
});

describe("Receipts", () => {
  test("Read only when every other member read it; Delivered when every one received it", () => {
    const r = new Receipts();
    r.load([{ userId: "a", readSeq: 3, deliveredSeq: 5 }, { userId: "b", readSeq: 5, deliveredSeq: 5 }]);
    assert.equal(r.stateOf(3, ["a", "b"]), "read");
    assert.equal(r.stateOf(4, ["a", "b"]), "delivered");
    assert.equal(r.stateOf(6, ["a", "b"]), "sent");
    assert.equal(r.stateOf(4, ["a", "b", "c"]), "sent", "a member with no receipt yet");
  });

  test("watermarks never move backwards; reading implies delivered", () => {
    const r = new Receipts();
    assert.equal(r.update("a", { readSeq: 4 }), true);
    assert.equal(r.update("a", { readSeq: 2 }), false);
    assert.equal(r.stateOf(4, ["a"]), "read");
    assert.equal(r.stateOf(5, ["a"]), "sent");
    assert.equal(r.update("a", { deliveredSeq: 5 }), true);
    assert.equal(r.stateOf(5, ["a"]), "delivered");
  });
});

describe("systemText", () => {
  const names = { a: "ann", b: "ben", c: "cleo" };
  const say = (system, myId = "z") => systemText({ kind: "system", system }, { myId, nameOf: (id) => names[id] ?? "someone" });

  test("each type as a sentence, oneself as you", () => {
    assert.equal(say({ type: "created", actorId: "a", title: "Trip" }), "ann created the group “Trip”");
    assert.equal(say({ type: "members_added", actorId: "a", userIds: ["b", "c"] }), "ann added ben and cleo");
    assert.equal(say({ type: "member_removed", actorId: "a", userIds: ["b"] }, "b"), "ann removed you");
    assert.equal(say({ type: "member_left", actorId: "c" }), "cleo left");
    assert.equal(say({ type: "title_changed", actorId: "a", title: "Ski" }, "a"), "You renamed the group to “Ski”");
    assert.equal(say({ type: "role_changed", actorId: "a", userIds: ["b"], role: "admin" }), "ann made ben an admin");
  });
});

describe("the client's files", () => {
  test("every module in web/js is copied by the build and preloaded by the page", async () => {
    const { readdirSync, readFileSync } = await import("node:fs");
    const web = new URL("../../web/", import.meta.url);
    const modules = readdirSync(new URL("js/", web)).filter((name) => name.endsWith(".js"));
    const cmake = readFileSync(new URL("CMakeLists.txt", web), "utf8");
    const page = readFileSync(new URL("index.html", web), "utf8");
    for (const name of modules) {
      assert.ok(cmake.includes(`js/${name}`), `web/CMakeLists.txt lists js/${name}`);
      assert.ok(page.includes(`<link rel="modulepreload" href="js/${name}">`), `index.html preloads js/${name}`);
    }
  });
});

describe("typingText", () => {
  test("one, two, three and more people typing", () => {
    assert.equal(typingText([]), "");
    assert.equal(typingText(["Ann"]), "Ann is typing…");
    assert.equal(typingText(["Ann", "Ben"]), "Ann and Ben are typing…");
    assert.equal(typingText(["Ann", "Ben", "Cid"]), "Ann, Ben and 1 other are typing…");
    assert.equal(typingText(["Ann", "Ben", "Cid", "Dan"]), "Ann, Ben and 2 others are typing…");
  });
});

describe("PresenceBook", () => {
  const seen = "2025-10-12T12:05:00.000Z";

  test("answers and pushes set who is online; bad entries are ignored", () => {
    const book = new PresenceBook();
    assert.equal(book.get("ann"), undefined);
    const mark = book.asking();
    assert.equal(book.onAnswer(mark, [
      { userId: "ann", online: true, lastSeenAt: null },
      { userId: "ben", online: false, lastSeenAt: seen },
      { userId: 7, online: true }, { userId: "cid" }, null,
    ]), true);
    assert.equal(book.isOnline("ann"), true);
    assert.deepEqual(book.get("ben"), { online: false, lastSeenAt: seen });
    assert.equal(book.get("cid"), undefined);
    assert.equal(book.onPush({ userId: "ann", online: false, lastSeenAt: seen }), true);
    assert.equal(book.isOnline("ann"), false);
    assert.equal(book.onPush({ userId: "ann", online: false, lastSeenAt: seen }), false, "the same again changes nothing");
    assert.equal(book.onPush({ online: true }), false);
    assert.equal(book.onAnswer(book.asking(), "not a list"), false);
  });

  test("a push that came while the question was out wins over its answer", () => {
    const book = new PresenceBook();
    const mark = book.asking();
    book.onPush({ userId: "ann", online: true, lastSeenAt: null }); // Ann came back...
    // ...and the answer, computed before that, arrives after it.
    assert.equal(book.onAnswer(mark, [
      { userId: "ann", online: false, lastSeenAt: seen },
      { userId: "ben", online: false, lastSeenAt: seen },
    ]), true);
    assert.deepEqual(book.get("ann"), { online: true, lastSeenAt: null });
    assert.deepEqual(book.get("ben"), { online: false, lastSeenAt: seen }, "the others of the answer count");
  });

  test("an answer asked after a push (a reconnection) replaces it", () => {
    const book = new PresenceBook();
    book.onPush({ userId: "ann", online: true, lastSeenAt: null });
    const mark = book.asking();
    book.onAnswer(mark, [{ userId: "ann", online: false, lastSeenAt: seen }]);
    assert.deepEqual(book.get("ann"), { online: false, lastSeenAt: seen });
  });

  test("of two questions out around a push, only the later one's answer counts for that user", () => {
    const book = new PresenceBook();
    const first = book.asking();
    book.onPush({ userId: "ann", online: true, lastSeenAt: null });
    const second = book.asking();
    book.onAnswer(second, [{ userId: "ann", online: false, lastSeenAt: seen }]);
    book.onAnswer(first, [{ userId: "ann", online: true, lastSeenAt: null }]);
    assert.deepEqual(book.get("ann"), { online: false, lastSeenAt: seen });
  });

  test("an online user has no last-seen time", () => {
    const book = new PresenceBook();
    book.onPush({ userId: "ann", online: true, lastSeenAt: seen });
    assert.deepEqual(book.get("ann"), { online: true, lastSeenAt: null });
  });

  test("batches: distinct ids, at most 200 a question", () => {
    assert.deepEqual(batches([]), []);
    assert.deepEqual(batches(["a", "b", "a"]), [["a", "b"]]);
    const ids = Array.from({ length: 450 }, (_, i) => `u${i}`);
    const groups = batches(ids);
    assert.deepEqual(groups.map((g) => g.length), [MAX_ASKED, MAX_ASKED, 50]);
    assert.deepEqual(groups.flat(), ids);
  });
});

describe("presenceText", () => {
  const now = new Date(2025, 9, 12, 14, 30); // local time: 12 Oct 2025, 14:30
  const at = (...parts) => ({ online: false, lastSeenAt: new Date(...parts).toISOString() });
  const text = (state) => presenceText(state, now, "en-GB");

  test("online, and nothing for the unknown, the never seen and the hidden", () => {
    assert.equal(text({ online: true, lastSeenAt: null }), "online");
    assert.equal(text(undefined), "");
    assert.equal(text({ online: false, lastSeenAt: null }), "");
    assert.equal(text({ online: false, lastSeenAt: "not a time" }), "");
  });

  test("last seen: just now, minutes ago, today, yesterday, a date", () => {
    assert.equal(text(at(2025, 9, 12, 14, 29, 30)), "last seen just now");
    assert.equal(text(at(2025, 9, 12, 14, 31)), "last seen just now", "a clock a little behind the server's");
    assert.equal(text(at(2025, 9, 12, 14, 29)), "last seen 1 min ago");
    assert.equal(text(at(2025, 9, 12, 13, 31)), "last seen 59 min ago");
    assert.equal(text(at(2025, 9, 12, 13, 30)), "last seen today at 13:30");
    assert.equal(text(at(2025, 9, 12, 0, 5)), "last seen today at 00:05");
    assert.equal(text(at(2025, 9, 11, 23, 10)), "last seen yesterday at 23:10");
    assert.equal(text(at(2025, 9, 10, 9, 0)), "last seen on 10 Oct 2025");
    assert.equal(text(at(2024, 11, 31, 9, 0)), "last seen on 31 Dec 2024");
  });

  test("minutes count across midnight; yesterday is the calendar day before", () => {
    const early = new Date(2025, 9, 1, 0, 20);
    assert.equal(presenceText(at(2025, 8, 30, 23, 50), early, "en-GB"), "last seen 30 min ago");
    assert.equal(presenceText(at(2025, 8, 30, 22, 0), early, "en-GB"), "last seen yesterday at 22:00");
  });
});
