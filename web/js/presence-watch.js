// Presence in the page: asks get_presence for the people on screen (the conversation list's
// direct conversations, the people found, the open conversation's person), in batches, once
// per connection; takes the presence pushes; and keeps the open direct conversation's header
// line ("online", "last seen 5 min ago") current. What is known lives in a PresenceBook.
import { PresenceBook, batches, presenceText } from "./presence.js";
import { request } from "./requests.js";

const LINE_REFRESH_MS = 30000; // "last seen N min ago" ages on screen

export class PresenceWatch {
  // socket(): the connection's socket or null; wanted(): the ids whose presence is on screen;
  // onChange(): someone's shown state changed (the lists redraw); line: the header's element.
  constructor({ socket, wanted, onChange, line }) {
    Object.assign(this, { socket, wanted, onChange, line });
    this.book = new PresenceBook();
    this.asked = new Set(); // ids asked on this connection (answered or on their way)
    this.peerId = null;
    this.timer = setInterval(() => this.peerId && this.renderLine(), LINE_REFRESH_MS);
  }

  isOnline(userId) {
    return this.book.isOnline(userId);
  }

  // Every (re)connection: pushes were missed while away, so everything on screen is asked again.
  connected() {
    this.asked.clear();
    this.refresh();
  }

  // Asks for whoever is on screen and was not asked on this connection yet.
  refresh() {
    const socket = this.socket();
    if (!socket?.connected) return; // asked on connect
    const fresh = [...this.wanted()].filter((id) => typeof id === "string" && !this.asked.has(id));
    for (const userIds of batches(fresh)) this.ask(socket, userIds);
  }

  // People who may have just become contacts (a new conversation): the server pushes nothing
  // for that, and answered for a stranger before.
  askAgain(userIds) {
    for (const id of userIds) this.asked.delete(id);
    this.refresh();
  }

  async ask(socket, userIds) {
    for (const id of userIds) this.asked.add(id);
    const mark = this.book.asking();
    try {
      const ack = await request(socket, "get_presence", { userIds }, { retries: 5 });
      if (!ack.success) throw new Error(ack.error);
      if (socket !== this.socket()) return;
      if (this.book.onAnswer(mark, ack.presence)) this.changed();
    } catch {
      // Asked again by the next refresh (or connection).
      if (socket === this.socket()) for (const id of userIds) this.asked.delete(id);
    }
  }

  onPush(payload) {
    if (this.book.onPush(payload)) this.changed();
  }

  changed() {
    this.renderLine();
    this.onChange();
  }

  // The direct conversation open now is with `peerId` (null: none, or a group).
  showPeer(peerId) {
    if (peerId === this.peerId) return;
    this.peerId = peerId;
    this.renderLine();
    this.refresh();
  }

  renderLine() {
    const text = this.peerId ? presenceText(this.book.get(this.peerId)) : "";
    this.line.textContent = text;
    this.line.hidden = !text;
  }

  stop() {
    clearInterval(this.timer);
    this.peerId = null;
    this.renderLine();
    this.book.clear();
  }
}
