// The conversation list as data: what the server said (list_conversations, get_conversation,
// conversation_updated) kept current by the pushes (receive_message, unread_updated,
// conversation_removed, and the edit or deletion of a last message), most recent activity
// first. No DOM; the view renders `ordered()`.
//
// Answers and pushes race: a snapshot computed before a message was stored can arrive after
// that message's push. A snapshot names its lastSeq, so the messages pushed past it are added
// back; a bare figure (mark_read's answer, unread_updated) names only the read marker, so when
// messages past that marker were pushed, `setUnread` says the figure may be stale and the
// caller asks for a snapshot (get_conversation).
import { changedMessageId, tombstone } from "./message-changes.js";

export class Inbox {
  constructor(myId) {
    this.myId = myId;
    this.byId = new Map(); // conversationId -> conversation (api.md's Conversation, + activityAt)
    this.nextCursor = null;
    this.pushed = new Map(); // conversationId -> seqs of others' messages pushed, above the read marker
  }

  clear() {
    this.byId.clear();
    this.pushed.clear();
    this.nextCursor = null;
  }

  // A page of list_conversations; the first page replaces what was known (after a reconnect).
  addPage(conversations, nextCursor, { first }) {
    if (first) this.byId.clear();
    for (const c of conversations ?? []) this.upsert(c);
    this.nextCursor = nextCursor ?? null;
  }

  upsert(conversation) {
    if (typeof conversation?.id !== "number") return null;
    const known = this.byId.get(conversation.id);
    const next = { ...known, ...conversation };
    if (known && (conversation.lastReadSeq ?? 0) < (known.lastReadSeq ?? 0)) {
      // Older than a read we know of: its count is too.
      next.lastReadSeq = known.lastReadSeq;
      next.unreadCount = known.unreadCount;
    } else if (typeof conversation.unreadCount === "number") {
      next.unreadCount = conversation.unreadCount + this.pushedAfter(conversation.id, Math.max(conversation.lastSeq ?? 0, next.lastReadSeq ?? 0));
    }
    if (known) next.lastSeq = Math.max(known.lastSeq ?? 0, next.lastSeq ?? 0);
    // A newer message pushed meanwhile is not undone by an older snapshot (a deleted one is:
    // the snapshot names the newest message left).
    const kept = known?.lastMessage;
    if (kept && !kept.deleted && (!next.lastMessage || (next.lastMessage.seq ?? 0) < (kept.seq ?? 0))) {
      next.lastMessage = kept;
    }
    next.activityAt = activityOf(next);
    this.byId.set(conversation.id, next);
    return next;
  }

  remove(conversationId) {
    this.pushed.delete(conversationId);
    return this.byId.delete(conversationId);
  }

  get(conversationId) {
    return this.byId.get(conversationId) ?? null;
  }

  // The direct conversation with `userId`, when it is known.
  directWith(userId) {
    for (const c of this.byId.values()) {
      if (c.kind !== "direct") continue;
      const others = c.members?.filter((m) => m.id !== this.myId) ?? [];
      if (userId === this.myId ? others.length === 0 : others.some((m) => m.id === userId)) return c;
    }
    return null;
  }

  // A message pushed to us. Returns false for a conversation not known here (the caller asks
  // the server for it: its unread count includes this message already).
  onMessage(message, { readingNow }) {
    const c = this.byId.get(message.conversationId);
    if (!c) return false;
    const seq = message.seq ?? 0;
    if (!c.lastMessage || seq >= (c.lastMessage.seq ?? 0)) c.lastMessage = message;
    c.lastSeq = Math.max(c.lastSeq ?? 0, seq);
    const fromOther = message.senderId !== this.myId && message.kind !== "system";
    if (fromOther && seq > (c.lastReadSeq ?? 0)) {
      if (!readingNow) c.unreadCount = (c.unreadCount ?? 0) + 1;
      const seqs = this.pushed.get(c.id) ?? [];
      seqs.push(seq);
      if (seqs.length > 500) seqs.shift();
      this.pushed.set(c.id, seqs);
    }
    c.activityAt = Math.max(c.activityAt ?? 0, activityOf(c));
    return true;
  }

  // message_updated / message_deleted: when it is the last message, the preview follows (a
  // deleted one reads "Message deleted" until the conversation is read again). Returns whether
  // it changed.
  onMessageChange(event, payload) {
    const c = this.byId.get(payload?.conversationId);
    const last = c?.lastMessage;
    if (!last || last.deleted || last.id !== changedMessageId(event, payload)) return false;
    if (event === "message_updated") c.lastMessage = { ...last, ...payload.message };
    else if (event === "message_deleted") c.lastMessage = tombstone(last, payload);
    else return false; // reactions are not part of the preview
    return true;
  }

  // unread_updated, or a mark_read answer: the server's figures. Returns {changed, stale}:
  // stale when messages past the marker were pushed, which the figure may not count.
  setUnread(conversationId, unreadCount, lastReadSeq) {
    const c = this.byId.get(conversationId);
    if (!c) return { changed: false, stale: false };
    if (typeof lastReadSeq === "number") {
      if (lastReadSeq < (c.lastReadSeq ?? 0)) return { changed: false, stale: false }; // overtaken
      c.lastReadSeq = lastReadSeq;
      const seqs = (this.pushed.get(conversationId) ?? []).filter((s) => s > lastReadSeq);
      this.pushed.set(conversationId, seqs);
    }
    if (typeof unreadCount === "number") c.unreadCount = Math.max(0, unreadCount);
    return { changed: true, stale: this.pushedAfter(conversationId, c.lastReadSeq ?? 0) > 0 };
  }

  pushedAfter(conversationId, seq) {
    return (this.pushed.get(conversationId) ?? []).filter((s) => s > seq).length;
  }

  ordered() {
    return [...this.byId.values()].sort((a, b) => b.activityAt - a.activityAt || b.id - a.id);
  }

  totalUnread() {
    let n = 0;
    for (const c of this.byId.values()) n += c.unreadCount ?? 0;
    return n;
  }

  // The group's title, or the other person's name.
  titleOf(c) {
    if (!c) return "";
    if (c.kind === "group") return c.title || "Unnamed group";
    const other = c.members?.find((m) => m.id !== this.myId) ?? c.members?.[0];
    return other?.name ?? "Someone";
  }

  otherIds(c) {
    return (c?.members ?? []).map((m) => m.id).filter((id) => id !== this.myId);
  }
}

function activityOf(c) {
  const at = Date.parse(c.lastMessage?.createdAt ?? c.createdAt ?? "");
  return Number.isFinite(at) ? at : 0;
}
