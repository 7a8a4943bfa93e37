// The web client's pure parts, in Node (no browser): links cut out of message text, the
// conversation list's bookkeeping (order, unread counts), receipts into message states, and
// system entries into sentences, and who is typing into a line.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { Inbox } from "../../web/js/inbox.js";
import { Receipts } from "../../web/js/receipts.js";
import { systemText } from "../../web/js/system-text.js";
import { linkParts } from "../../web/js/text.js";
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
