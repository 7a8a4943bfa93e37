// One's messages on their way: each has a clientMessageId from the start, kept on every retry,
// so the server stores it once however often it goes out. A send that failed for want of a
// connection (offline, no answer, database unavailable) goes out again by itself once the
// socket is connected; a refused one (too long, forbidden) waits for the person's Retry.
import { NoAnswer, request, retryDelay } from "./requests.js";

// Failures that say nothing about the message itself: worth sending again later.
const TRANSIENT = new Set(["UNAVAILABLE"]);

export class Outbox {
  // getSocket(): the socket or null; show(item): the item's state changed; onRateLimited(ms).
  constructor({ getSocket, show, onRateLimited }) {
    Object.assign(this, { getSocket, show, onRateLimited });
    this.items = new Map(); // clientMessageId -> item
  }

  clear() {
    this.items.clear();
  }

  // item: {clientId, li, conversationId|null, receiverId|null, content, replyToId|null}
  add(item) {
    this.items.set(item.clientId, item);
    this.emit(item);
  }

  emit(item) {
    const socket = this.getSocket();
    item.attempt = (item.attempt ?? 0) + 1;
    const attempt = item.attempt;
    if (!socket?.connected) return this.fail(item, "not connected; it goes out when the connection is back", true);
    this.set(item, "sending");
    // A direct conversation not stored yet is addressed by its person (the seed's form).
    const payload = {
      ...(item.conversationId ? { conversationId: item.conversationId } : { receiverId: item.receiverId }),
      content: item.content, clientMessageId: item.clientId,
      ...(typeof item.replyToId === "number" ? { replyToId: item.replyToId } : {}),
    };
    request(socket, "send_message", payload, { retries: 0 }).then((ack) => {
      if (item.attempt !== attempt || !this.items.has(item.clientId)) return; // overtaken or stored
      if (ack.code === "RATE_LIMITED") {
        const wait = retryDelay(ack);
        this.onRateLimited(wait);
        setTimeout(() => this.items.get(item.clientId) === item && item.attempt === attempt && this.emit(item), wait);
        return;
      }
      if (ack.success) return this.stored(item, { id: ack.messageId, seq: ack.seq, conversationId: ack.conversationId });
      this.fail(item, ack.error || "not sent", TRANSIENT.has(ack.code));
    }, (error) => {
      if (item.attempt !== attempt || !this.items.has(item.clientId)) return;
      this.fail(item, error instanceof NoAnswer ? "no answer from the server" : error.message, true);
    });
  }

  // After a reconnection: everything not stored yet that may go out again does.
  resend() {
    for (const item of this.items.values()) {
      if (item.state === "sending" || (item.state === "failed" && item.transient)) this.emit(item);
    }
  }

  // The receive_message of one of ours: the pending item it stands for, if any.
  adopt(message) {
    const item = this.items.get(message.clientMessageId);
    if (!item) return null;
    this.stored(item, message);
    return item;
  }

  stored(item, { id, seq, conversationId }) {
    this.items.delete(item.clientId);
    if (typeof id === "number") item.li.dataset.id = String(id);
    if (typeof seq === "number") item.li.dataset.seq = String(seq);
    if (typeof conversationId === "number") item.conversationId = conversationId;
    this.set(item, "sent");
  }

  fail(item, reason, transient) {
    item.transient = transient;
    this.set(item, "failed", reason);
  }

  set(item, state, reason = "") {
    item.state = state;
    item.reason = reason;
    this.show(item);
  }

  // The items of one conversation (by id, or by person for a direct one not stored yet).
  of({ conversationId, peerId }) {
    return [...this.items.values()].filter((item) =>
      (conversationId && item.conversationId === conversationId) || (!item.conversationId && peerId && item.receiverId === peerId));
  }
}
