// The open conversation: its header (title, members, the Members button of a group), its
// history (newest page first, older pages on scroll), the receipts that give one's own
// messages their state, mark_read for what is on screen in a focused tab, the composer (with
// the message it replies to), who is typing (typing.js), and the changes to its messages: one's
// own (message-changer.js) and the others', pushed.
// A direct conversation picked from the people search may not exist yet: it is addressed by
// the person (receiverId / otherUserId) until its first message names its conversationId.
import { missedSince } from "./catch-up.js";
import { newId } from "./ids.js";
import { MessageChanger } from "./message-changer.js";
import { changedMessageId } from "./message-changes.js";
import { MessageView } from "./message-view.js";
import { Receipts } from "./receipts.js";
import { ReplyBar } from "./reply-bar.js";
import { HistoryReader, request } from "./requests.js";
import { TypingIndicator, TypingSignal } from "./typing.js";

const PAGE_SIZE = 50;
const $ = (id) => document.getElementById(id);

export class ConversationPane {
  // chat: {socket(), inbox, outbox, notice, nameOf, on(target, event, fn), onRead(conversationId, ack), onLearnedId(id)}
  constructor(chat) {
    this.chat = chat;
    this.ui = {
      title: $("conversation-title"), peerState: $("peer-state"), log: $("messages"), older: $("older"),
      historyStatus: $("history-status"), members: $("members-button"), input: $("message"), send: $("send"),
      composer: $("composer"),
    };
    const myId = chat.inbox.myId;
    const listen = chat.on.bind(chat);
    this.view = new MessageView({
      log: this.ui.log, list: $("message-list"), cue: $("new-below"), myId, nameOf: chat.nameOf, listen,
      onAction: (action, target) => this.changer.act(action, target),
      onDeleted: (li) => this.changer.forget(li),
    });
    this.reply = new ReplyBar({
      bar: $("reply-bar"), text: $("reply-text"), cancelButton: $("reply-cancel"), input: this.ui.input,
      names: { myId, nameOf: chat.nameOf }, listen,
    });
    this.changer = new MessageChanger({ socket: () => chat.socket(), view: this.view, reply: this.reply, notice: chat.notice, myId, listen });
    this.history = new HistoryReader();
    this.typing = new TypingSignal(() => chat.socket());
    this.typists = new TypingIndicator($("typing"), { myId: chat.inbox.myId, nameOf: chat.nameOf });
    this.current = null;
    this.markTimer = 0;
    chat.on(this.ui.older, "click", () => this.loadOlder());
    chat.on(this.ui.log, "scroll", () => {
      if (this.ui.log.scrollTop < 60) this.loadOlder();
      this.scheduleMark();
    });
    for (const target of [window, document]) {
      chat.on(target, target === window ? "focus" : "visibilitychange", () => this.scheduleMark());
    }
    chat.on(this.ui.composer, "submit", (event) => {
      event.preventDefault();
      this.sendTyped();
      this.ui.input.focus();
    });
    chat.on(this.ui.input, "keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.sendTyped();
      }
    });
    chat.on(this.ui.input, "input", () => {
      this.autosize();
      this.typing.input(this.current?.conversationId ?? null, this.ui.input.value.trim() !== "");
    });
  }

  // --- opening and closing --------------------------------------------------------------

  close() {
    this.typing.stop();
    this.typists.show(null);
    this.changer.close();
    this.reply.cancel();
    this.current = null;
    this.view.clear();
    this.ui.title.textContent = "Pick a conversation";
    this.ui.peerState.textContent = "";
    this.ui.historyStatus.textContent = "";
    this.ui.older.hidden = true;
    this.ui.members.hidden = true;
    this.ui.log.setAttribute("aria-label", "Conversation");
    this.ui.input.disabled = this.ui.send.disabled = true;
  }

  // A stored conversation (from the list), or a person's direct one (maybe not stored yet).
  open({ conversation = null, person = null }) {
    this.close();
    this.current = {
      conversationId: conversation?.id ?? null,
      peer: person ?? (conversation?.kind === "direct" ? this.otherOf(conversation) : null),
      kind: conversation?.kind ?? "direct",
      hasMore: false,
      loadingOlder: false,
      receipts: new Receipts(),
      markedSeq: 0,
    };
    this.view.clear(this.current.kind === "group");
    this.typists.show(this.current.conversationId);
    this.renderHead();
    this.ui.input.disabled = this.ui.send.disabled = false;
    this.ui.input.focus();
    const opened = this.current;
    this.loadReceipts();
    // Messages still on their way (or failed) go back in, after the history.
    this.loadLatest().finally(() => {
      if (this.current !== opened) return;
      for (const item of this.chat.outbox.of(this.key())) this.showPending(item);
    });
  }

  otherOf(c) {
    const other = c.members?.find((m) => m.id !== this.chat.inbox.myId) ?? c.members?.[0];
    return other ? { id: other.id, name: other.name } : null;
  }

  key() {
    return { conversationId: this.current?.conversationId ?? null, peerId: this.current?.peer?.id ?? null };
  }

  conversation() {
    return this.current?.conversationId ? this.chat.inbox.get(this.current.conversationId) : null;
  }

  isOpen(conversationId) {
    return !!this.current && this.current.conversationId === conversationId;
  }

  renderHead() {
    const c = this.conversation();
    const title = c ? this.chat.inbox.titleOf(c) : this.current.peer?.name ?? "";
    this.ui.title.textContent = title;
    this.ui.log.setAttribute("aria-label", c?.kind === "group" ? `Conversation ${title}` : `Conversation with ${title}`);
    const group = c?.kind === "group";
    this.view.setRole(c?.myRole ?? null);
    this.ui.members.hidden = !group;
    if (group) {
      const names = (c.members ?? []).map((m) => (m.id === this.chat.inbox.myId ? "you" : m.name));
      this.ui.peerState.textContent = names.join(", ");
      this.ui.members.textContent = `Members (${c.members?.length ?? 0})`;
    } else {
      this.ui.peerState.textContent = ""; // a direct conversation's line is its person's presence (presence-watch.js)
    }
  }

  // conversation_updated of the open conversation: new title, members or roles.
  onUpdated() {
    if (!this.current) return;
    this.renderHead();
    this.refreshStates();
    this.view.refreshSystemTexts();
  }

  // --- history ---------------------------------------------------------------------------

  query(before) {
    const { conversationId, peer } = this.current;
    const where = conversationId ? { conversationId } : { otherUserId: peer.id };
    return { ...where, limit: PAGE_SIZE, ...(before ? { before } : {}) };
  }

  // After a reconnection: what was missed since the newest message shown, replayed as its
  // pushes (so that an edit or deletion of any message shown, however old, shows too); the
  // newest page instead when nothing is shown yet, for a direct conversation not begun, when
  // more than a page was missed, or when sync is not answered.
  async catchUp() {
    const opened = this.current;
    const since = this.view.lastSeq();
    if (!opened.conversationId || since === null) return this.loadLatest();
    try {
      const missed = await missedSince(this.chat.socket(), opened.conversationId, since);
      if (this.current !== opened || missed.gone) return; // the list closes a conversation one was removed from
      if (missed.limited) return this.loadLatest();
      this.chat.replay(missed.events);
    } catch {
      if (this.current === opened) return this.loadLatest();
    }
  }

  // The newest page: on opening, and when catching up cannot say what was missed.
  async loadLatest() {
    const opened = this.current;
    this.ui.historyStatus.textContent = this.view.isEmpty() ? "Loading…" : "";
    try {
      const page = await this.history.page(this.chat.socket(), this.query());
      if (this.current !== opened) return;
      this.learnId(page.messages);
      const newest = this.view.lastSeq();
      const oldestOfPage = page.messages.length ? page.messages[0].seq : null;
      // More than a page arrived while away: start over rather than leave a gap.
      if (newest !== null && page.hasMore && oldestOfPage > newest) this.view.removeStored();
      const first = this.view.firstSeq() === null;
      const stick = first || this.view.nearBottom();
      const fromOthers = this.view.merge(page.messages, (m) => this.adopt(m));
      if (first) opened.hasMore = page.hasMore;
      this.ui.historyStatus.textContent = this.view.isEmpty() ? "No messages yet. Say hello!" : "";
      this.ui.older.hidden = !opened.hasMore;
      this.refreshStates();
      this.view.follow(stick, fromOthers);
      this.scheduleMark();
    } catch (error) {
      if (this.current === opened) this.ui.historyStatus.textContent = `Could not load messages (${error.message}).`;
    }
  }

  async loadOlder() {
    const opened = this.current;
    const oldest = this.view.firstSeq();
    if (!opened || !opened.hasMore || opened.loadingOlder || oldest === null) return;
    opened.loadingOlder = true;
    this.ui.older.disabled = true;
    try {
      const page = await this.history.page(this.chat.socket(), this.query(oldest));
      if (this.current !== opened) return;
      // Keep what is on screen where it is while older messages go in above.
      const height = this.ui.log.scrollHeight;
      const top = this.ui.log.scrollTop;
      this.view.merge(page.messages);
      opened.hasMore = page.hasMore;
      this.ui.log.scrollTop = top + (this.ui.log.scrollHeight - height);
      this.refreshStates();
    } catch (error) {
      if (this.current === opened) this.ui.historyStatus.textContent = `Could not load older messages (${error.message}).`;
    } finally {
      opened.loadingOlder = false;
      this.ui.older.disabled = false;
      this.ui.older.hidden = !opened.hasMore;
    }
  }

  // A direct conversation opened by person learns its id from its messages.
  learnId(messages) {
    if (this.current.conversationId) return;
    const id = messages.find((m) => typeof m.conversationId === "number")?.conversationId;
    if (id) {
      this.current.conversationId = id;
      this.typists.show(id);
      this.chat.onLearnedId(id);
      this.renderHead();
      this.loadReceipts();
    }
  }

  // --- live ------------------------------------------------------------------------------

  // A receive_message. Returns whether it belongs to the open conversation (and is shown).
  onMessage(message) {
    if (!this.current || !this.belongs(message)) return false;
    this.learnId([message]);
    this.typists.sent(message.conversationId, message.senderId);
    const stick = message.senderId === this.chat.inbox.myId || this.view.nearBottom();
    const fromOthers = this.view.merge([message], (m) => this.adopt(m));
    this.ui.historyStatus.textContent = "";
    this.refreshStates();
    this.view.follow(stick, fromOthers);
    return true;
  }

  // message_updated, message_deleted or reaction_updated of the open conversation: the message
  // changes if it is loaded here (else it shows as changed once loaded).
  onMessageChange(event, payload) {
    const stick = this.view.nearBottom();
    const message = this.view.change(changedMessageId(event, payload), event, payload);
    if (!message) return;
    this.reply.update(message);
    if (stick) this.view.scrollToBottom(); // a longer text or new chips do not push the newest away
  }

  belongs(message) {
    const { conversationId, peer } = this.current;
    if (conversationId) return message.conversationId === conversationId;
    if (!peer || message.receiverId == null) return false;
    const me = this.chat.inbox.myId;
    const other = message.senderId === me ? message.receiverId : message.senderId;
    return other === peer.id && (message.senderId === me || message.receiverId === me);
  }

  // Whether the person is looking at the newest messages of `conversationId` right now (on a
  // phone, the list may be shown instead of the conversation).
  readingNow(conversationId) {
    return this.isOpen(conversationId) && focused() && this.onScreen() && this.view.nearBottom();
  }

  onScreen() {
    return this.ui.log.clientHeight > 0;
  }

  // --- receipts --------------------------------------------------------------------------

  async loadReceipts() {
    const opened = this.current;
    if (!opened?.conversationId) return;
    try {
      const ack = await request(this.chat.socket(), "get_receipts", { conversationId: opened.conversationId });
      if (this.current !== opened || !ack.success) return;
      opened.receipts.load(ack.receipts);
      this.refreshStates();
    } catch {
      // the states stay "Sent" until a receipt is pushed
    }
  }

  // read_receipt / delivery_receipt of the open conversation.
  onReceipt({ userId, seq }, kind) {
    const r = this.current?.receipts;
    if (!r) return;
    if (r.update(userId, kind === "read" ? { readSeq: seq } : { deliveredSeq: seq })) this.refreshStates();
  }

  otherIds() {
    const c = this.conversation();
    if (c) return this.chat.inbox.otherIds(c);
    const peer = this.current?.peer;
    return peer && peer.id !== this.chat.inbox.myId ? [peer.id] : [];
  }

  refreshStates() {
    if (this.current) this.view.refreshStates(this.current.receipts, this.otherIds());
  }

  // What is on screen, in a focused tab, counts as read.
  scheduleMark() {
    clearTimeout(this.markTimer);
    this.markTimer = setTimeout(() => this.markVisible(), 100);
  }

  async markVisible() {
    const opened = this.current;
    if (!opened?.conversationId || !focused() || !this.onScreen()) return;
    const seq = this.view.highestVisibleSeq();
    const c = this.conversation();
    if (seq === null || seq <= opened.markedSeq || seq <= (c?.lastReadSeq ?? 0)) return;
    opened.markedSeq = seq;
    try {
      const ack = await request(this.chat.socket(), "mark_read", { conversationId: opened.conversationId, seq });
      if (ack.success) this.chat.onRead(opened.conversationId, ack, seq);
      else if (this.current === opened) opened.markedSeq = 0;
    } catch {
      if (this.current === opened) opened.markedSeq = 0; // tried again on the next scroll or focus
    }
  }

  // --- sending ---------------------------------------------------------------------------

  sendTyped() {
    const content = this.ui.input.value;
    if (!this.current || !content.trim()) return;
    this.ui.input.value = "";
    this.autosize();
    this.typing.sent();
    const replyToId = this.reply.targetId;
    this.reply.cancel();
    const li = this.view.element({ content, senderId: this.chat.inbox.myId, replyToId });
    const { conversationId, peer } = this.current;
    const item = { clientId: newId(), li, conversationId, receiverId: conversationId ? null : peer.id, content, replyToId };
    this.ui.historyStatus.textContent = "";
    this.view.place(li);
    this.view.decorate();
    this.view.scrollToBottom();
    this.chat.outbox.add(item);
  }

  // A pending item of the open conversation back on screen (after the history), or its state
  // changed (outbox `show`).
  showPending(item) {
    if (!this.current) return;
    const { conversationId, peerId } = this.key();
    // On screen means ours (the list is emptied on switching); else it matches the open one.
    const ours = item.li.isConnected || (conversationId && item.conversationId === conversationId) ||
      (!conversationId && !item.conversationId && item.receiverId === peerId);
    if (!ours) return;
    const onRetry = () => {
      this.ui.input.focus();
      this.chat.outbox.emit(item);
    };
    this.view.setState(item.li, item.state, { reason: item.reason, onRetry });
    if (!item.li.isConnected || item.li.dataset.seq) {
      this.view.place(item.li);
      this.view.decorate();
    }
    if (item.state === "sent") {
      this.view.stored(item.li, item);
      if (item.conversationId && !this.current.conversationId) this.learnId([{ conversationId: item.conversationId }]);
      this.refreshStates();
    }
  }

  adopt(message) {
    return this.chat.outbox.adopt(message)?.li ?? null;
  }

  autosize() {
    this.ui.input.style.height = "auto";
    this.ui.input.style.height = `${Math.min(this.ui.input.scrollHeight, 160)}px`;
  }
}

function focused() {
  return document.visibilityState === "visible" && document.hasFocus();
}
