// The conversation list as data: what the server said (list_conversations, get_conversation,
// conversation_updated) kept current by the pushes (receive_message, unread_updated,
// conversation_removed), most recent activity first. No DOM; the view renders `ordered()`.

export class Inbox {
  constructor(myId) {
    this.myId = myId;
    this.byId = new Map(); // conversationId -> conversation (api.md's Conversation, + activityAt)
    this.nextCursor = null;
  }

  clear() {
    this.byId.clear();
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
    // A newer message pushed meanwhile is not undone by an older snapshot.
    if (known?.lastMessage && (!next.lastMessage || (next.lastMessage.seq ?? 0) < (known.lastMessage.seq ?? 0))) {
      next.lastMessage = known.lastMessage;
    }
    next.activityAt = activityOf(next);
    this.byId.set(conversation.id, next);
    return next;
  }

  remove(conversationId) {
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
    if (fromOther && !readingNow && seq > (c.lastReadSeq ?? 0)) c.unreadCount = (c.unreadCount ?? 0) + 1;
    c.activityAt = Math.max(c.activityAt ?? 0, activityOf(c));
    return true;
  }

  // unread_updated, or a mark_read answer: the server's exact figures.
  setUnread(conversationId, unreadCount, lastReadSeq) {
    const c = this.byId.get(conversationId);
    if (!c) return false;
    if (typeof lastReadSeq === "number") {
      if (lastReadSeq < (c.lastReadSeq ?? 0)) return false; // an older answer overtaken
      c.lastReadSeq = lastReadSeq;
    }
    if (typeof unreadCount === "number") c.unreadCount = Math.max(0, unreadCount);
    return true;
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
