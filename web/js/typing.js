// Typing indicators (docs/api.md "Live signals"). TypingSignal tells the others while this
// person types: `typing: true` when the composer gets text, again every few seconds while it
// goes on (the server's state lasts 6 s), and `false` once the text is emptied, left idle or
// the conversation closed; a send ends it on the server by itself. TypingIndicator shows who is
// typing in the open conversation, from typing_update (the full list each time).
const REPEAT_MS = 3000;
const IDLE_MS = 5000;
// A list not renewed for this long is dropped (an update missed while reconnecting).
const STALE_MS = 10000;

export class TypingSignal {
  constructor(getSocket) {
    this.getSocket = getSocket;
    this.conversationId = null; // where `true` was last said
    this.sentAt = 0;
    this.idle = 0;
  }

  // The composer changed in `conversationId` (null: not stored yet, nobody to tell).
  input(conversationId, hasText) {
    if (!hasText || conversationId !== this.conversationId) this.stop();
    if (!hasText || !conversationId) return;
    const now = Date.now();
    if (this.conversationId === null || now - this.sentAt >= REPEAT_MS) {
      this.emit(conversationId, true);
      this.conversationId = conversationId;
      this.sentAt = now;
    }
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.stop(), IDLE_MS);
  }

  // The message went: the server ends the state with it.
  sent() {
    clearTimeout(this.idle);
    this.conversationId = null;
  }

  stop() {
    clearTimeout(this.idle);
    if (this.conversationId !== null) this.emit(this.conversationId, false);
    this.conversationId = null;
  }

  emit(conversationId, isTyping) {
    // volatile: not queued while disconnected (a stale `true` after reconnecting helps nobody).
    this.getSocket()?.volatile.emit("typing", { conversationId, isTyping });
  }
}

export class TypingIndicator {
  // element: where the line goes; nameOf(id): a display name.
  constructor(element, { myId, nameOf }) {
    this.element = element;
    this.myId = myId;
    this.nameOf = nameOf;
    this.lists = new Map(); // conversationId -> {userIds, timer}
    this.openId = null;
    this.render();
  }

  update(payload) {
    const id = payload?.conversationId;
    if (typeof id !== "number" || !Array.isArray(payload.userIds)) return;
    clearTimeout(this.lists.get(id)?.timer);
    const userIds = payload.userIds.filter((u) => u !== this.myId);
    if (userIds.length) {
      this.lists.set(id, { userIds, timer: setTimeout(() => this.update({ conversationId: id, userIds: [] }), STALE_MS) });
    } else {
      this.lists.delete(id);
    }
    if (id === this.openId) this.render();
  }

  // Someone's message arrived: whatever they were typing is done.
  sent(conversationId, userId) {
    const list = this.lists.get(conversationId);
    if (list?.userIds.includes(userId)) this.update({ conversationId, userIds: list.userIds.filter((u) => u !== userId) });
  }

  show(conversationId) {
    this.openId = conversationId ?? null;
    this.render();
  }

  clear() {
    for (const { timer } of this.lists.values()) clearTimeout(timer);
    this.lists.clear();
    this.render();
  }

  render() {
    const names = (this.lists.get(this.openId)?.userIds ?? []).map((id) => this.nameOf(id));
    this.element.textContent = typingText(names);
    this.element.hidden = names.length === 0;
  }
}

export function typingText(names) {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  const others = names.length - 2;
  return `${names[0]}, ${names[1]} and ${others} ${others === 1 ? "other" : "others"} are typing…`;
}
