// A logged-in session's chat: the connection, the conversation list (from the server, kept
// current by the pushes), the people search, the open conversation, the outbox, the group
// dialogs, mark_delivered for what arrives, the unread total in the page's title, and who is
// online (presence-watch.js) with one's own "Appear offline" (presence-toggle.js).
import { Connection } from "./connection.js";
import { ConversationPane } from "./conversation-pane.js";
import { GroupDialog } from "./group-dialog.js";
import { Inbox } from "./inbox.js";
import { InboxView } from "./inbox-view.js";
import { MembersDialog } from "./members-dialog.js";
import { Notice, inSeconds } from "./notice.js";
import { Outbox } from "./outbox.js";
import { PeopleSearch, personItem } from "./people.js";
import { AppearOfflineToggle } from "./presence-toggle.js";
import { PresenceWatch } from "./presence-watch.js";
import { request } from "./requests.js";

const LIST_PAGE = 50;
// The people found are searched again now and then, so that someone who signed up since shows
// up. (Who is online is pushed: presence-watch.js.)
const PEOPLE_REFRESH_MS = 30000;
const $ = (id) => document.getElementById(id);

export class Chat {
  // session: {token, user}; onUnauthorized(): the token is no longer accepted.
  constructor(session, { onUnauthorized }) {
    this.session = session;
    const myId = session.user.id;
    this.ui = {
      search: $("search"), people: $("people"), peopleStatus: $("people-status"), list: $("conversation-list"),
      inboxStatus: $("inbox-status"), more: $("more-conversations"), back: $("back"), newGroup: $("new-group"),
      members: $("members-button"),
    };
    this.names = new Map([[myId, session.user.name]]); // id -> name of everyone seen
    this.nameOf = (id) => this.names.get(id) ?? "someone";
    this.inbox = new Inbox(myId);
    this.presence = new PresenceWatch({
      socket: () => this.socket(), wanted: () => this.presenceWanted(), line: $("peer-presence"),
      onChange: () => (this.renderList(), this.renderPeople()),
    });
    this.inboxView = new InboxView({
      list: this.ui.list, inbox: this.inbox, nameOf: this.nameOf, onOpen: (id) => this.openById(id),
      isOnline: (id) => this.presence.isOnline(id),
    });
    this.notice = new Notice($("notice"));
    this.outbox = new Outbox({
      getSocket: () => this.socket(),
      show: (item) => this.pane.showPending(item),
      onRateLimited: (ms) => this.notice.show(`You are sending messages too fast. Trying again in ${inSeconds(ms)}.`, ms + 2000),
    });
    this.listeners = [];
    this.pane = new ConversationPane(this);
    this.people = [];
    this.peopleSearch = new PeopleSearch({ token: () => session.token, myId, onUnauthorized });
    const context = () => ({ socket: this.socket(), token: session.token, myId });
    this.groupDialog = new GroupDialog({ context, onCreated: (c) => this.onCreated(c), listen: this.on.bind(this) });
    this.membersDialog = new MembersDialog({ context, conversation: () => this.pane.conversation(), onLeft: (id) => this.onLeft(id), listen: this.on.bind(this),
      learn: (p) => this.names.set(p.id, p.name) });
    this.deliveredSent = new Map(); // conversationId -> highest seq told delivered
    this.appearOffline = new AppearOfflineToggle({
      box: $("appear-offline"), myId, socket: () => this.socket(), listen: this.on.bind(this),
      onError: (text) => this.notice.show(text, 6000),
    });
    this.timers = [];

    // The pushes of log entries, which a catching up after a reconnection replays too.
    this.logPushes = {
      receive_message: (m) => this.onMessage(m),
      conversation_updated: (p) => this.onConversation(p?.conversation),
      message_updated: (p) => this.onMessageChange("message_updated", p),
      message_deleted: (p) => this.onMessageChange("message_deleted", p),
      reaction_updated: (p) => this.onMessageChange("reaction_updated", p),
    };
    this.connection = new Connection({
      token: session.token,
      status: $("connection"),
      onUnauthorized,
      onConnect: ({ again }) => this.onConnect(again),
      pushes: {
        ...this.logPushes,
        conversation_removed: (p) => this.onRemoved(p),
        unread_updated: (p) => this.onUnread(p),
        read_receipt: (p) => this.pane.isOpen(p?.conversationId) && this.pane.onReceipt(p, "read"),
        delivery_receipt: (p) => this.pane.isOpen(p?.conversationId) && this.pane.onReceipt(p, "delivered"),
        typing_update: (p) => this.pane.typists.update(p),
        presence: (p) => this.presence.onPush(p),
      },
    });
    this.on(this.ui.search, "input", () => {
      this.showSearching();
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => this.loadPeople(), 200);
    });
    this.on(this.ui.more, "click", () => this.loadList({ first: false }));
    this.on(this.ui.back, "click", () => this.showList());
    // Back into the conversation (on a phone): what is now on screen is read.
    this.on(window, "resize", () => this.pane.scheduleMark());
    this.on(this.ui.newGroup, "click", () => this.groupDialog.open());
    this.on(this.ui.members, "click", () => this.membersDialog.open());
    this.timers.push(setInterval(() => document.visibilityState === "visible" && this.ui.search.value && this.loadPeople(), PEOPLE_REFRESH_MS));
    this.pane.close();
    this.showList();
    this.updateTitle();
    this.ui.search.focus();
  }

  on(target, event, handler) {
    target.addEventListener(event, handler);
    this.listeners.push(() => target.removeEventListener(event, handler));
  }

  socket() {
    return this.connection?.socket ?? null;
  }

  end() {
    for (const timer of this.timers) clearTimeout(timer), clearInterval(timer);
    this.presence.stop();
    this.appearOffline.stop();
    clearTimeout(this.searchTimer);
    for (const off of this.listeners) off();
    this.connection.close();
    this.connection = null;
    this.notice.hide();
    this.outbox.clear();
    this.inbox.clear();
    this.membersDialog.close();
    if ($("group-dialog").open) $("group-dialog").close();
    this.pane.close();
    this.ui.list.replaceChildren();
    this.ui.people.replaceChildren();
    this.ui.people.hidden = true;
    this.ui.list.hidden = false;
    this.ui.search.value = "";
    this.ui.peopleStatus.textContent = "";
    this.ui.inboxStatus.textContent = "";
    document.title = "Parley";
  }

  // --- connection ------------------------------------------------------------------------

  onConnect(again) {
    // The list is asked for on every connection: whatever happened while away (messages,
    // reads on another device) is in it. A recovered session also gets its missed messages
    // pushed, but not the other pushes.
    this.loadList({ first: true });
    this.pane.typists.clear(); // lists missed while away end; the next update brings them back
    this.presence.connected(); // and the list's people once it is loaded
    this.appearOffline.connected();
    if (again) {
      if (this.pane.current) {
        this.pane.catchUp();
        this.pane.loadReceipts();
      }
      if (this.ui.search.value) this.loadPeople();
    }
    this.outbox.resend();
  }

  // --- the conversation list -------------------------------------------------------------

  async loadList({ first }) {
    const before = first ? undefined : this.inbox.nextCursor;
    if (!first && !before) return;
    this.ui.more.disabled = true;
    try {
      const ack = await request(this.socket(), "list_conversations", { limit: LIST_PAGE, ...(before ? { before } : {}) }, { retries: 5 });
      if (!ack.success) throw new Error(ack.error || "not answered");
      this.inbox.addPage(ack.conversations, ack.nextCursor, { first });
      for (const c of ack.conversations ?? []) this.learnNames(c);
      this.listLoaded = true;
      this.renderList();
      this.presence.refresh();
      // What the list shows has reached this device.
      for (const c of ack.conversations ?? []) if (c.unreadCount > 0) this.markDelivered(c.id, c.lastSeq);
      const open = this.pane.current;
      if (open && open.conversationId && !this.inbox.get(open.conversationId) && first && !this.inbox.nextCursor) {
        // Not a member any more (removed while away).
        this.pane.close();
        this.showPeerPresence();
        this.showList();
      } else if (open) {
        this.pane.onUpdated();
      }
    } catch (error) {
      this.ui.inboxStatus.textContent = `Could not load the conversations (${error.message}).`;
    } finally {
      this.ui.more.disabled = false;
      this.ui.more.hidden = !this.inbox.nextCursor;
    }
  }

  renderList() {
    this.inboxView.currentId = this.pane.current?.conversationId ?? null;
    this.inboxView.render();
    this.showPeerPresence();
    if (this.listLoaded) this.ui.inboxStatus.textContent = this.inbox.byId.size ? "" : "No conversations yet. Find someone, or start a group.";
    this.updateTitle();
  }

  updateTitle() {
    const n = this.inbox.totalUnread();
    document.title = n ? `(${n}) Parley` : "Parley";
  }

  learnNames(c) {
    for (const m of c?.members ?? []) if (m.name) this.names.set(m.id, m.name);
  }

  // --- pushes ----------------------------------------------------------------------------

  // Events of sync ({type, data}), applied as the pushes they stand for.
  replay(events) {
    for (const { type, data } of events) this.logPushes[type]?.(data);
  }

  onMessage(message) {
    if (!message || typeof message.id !== "number") return;
    if (message.senderName) this.names.set(message.senderId, message.senderName);
    if (message.receiverName && message.receiverId) this.names.set(message.receiverId, message.receiverName);
    const id = message.conversationId;
    const shown = this.pane.onMessage(message);
    const readingNow = shown && this.pane.readingNow(id);
    if (!this.inbox.onMessage(message, { readingNow }) && typeof id === "number") this.fetchConversation(id);
    if (message.senderId !== this.inbox.myId) this.markDelivered(id, message.seq);
    if (shown) this.pane.scheduleMark();
    this.renderList();
  }

  // An edit, a deletion or a reaction change: on screen if its conversation is open, in the
  // list's preview if it is the last message. Conversations not loaded here have nothing of it
  // to change (their list entry, once loaded, comes from the server as it is now).
  onMessageChange(event, payload) {
    const id = payload?.conversationId;
    if (!this.inbox.get(id)) return;
    const edited = payload.message; // message_updated's whole message
    if (edited?.senderName) this.names.set(edited.senderId, edited.senderName);
    if (this.pane.isOpen(id)) this.pane.onMessageChange(event, payload);
    if (!this.inbox.onMessageChange(event, payload)) return;
    this.renderList();
    // The last message deleted: the list shows the newest one left, as the server does (until
    // its answer comes, the tombstone).
    if (event === "message_deleted") this.fetchConversation(id);
  }

  async fetchConversation(conversationId) {
    try {
      const ack = await request(this.socket(), "get_conversation", { conversationId });
      if (ack.success) this.onConversation(ack.conversation);
    } catch {
      // the next list_conversations brings it
    }
  }

  onConversation(conversation) {
    if (!conversation) return;
    this.learnNames(conversation);
    const isNew = !this.inbox.get(conversation.id);
    this.inbox.upsert(conversation);
    if (isNew) this.presence.askAgain(this.inbox.otherIds(conversation));
    if (this.pane.isOpen(conversation.id)) {
      this.pane.onUpdated();
      this.membersDialog.update();
    }
    this.renderList();
  }

  onRemoved(payload) {
    const id = payload?.conversationId;
    this.inbox.remove(id);
    if (this.pane.isOpen(id)) {
      this.membersDialog.close();
      this.pane.close();
      this.notice.show("You are no longer a member of that group.", 6000);
      this.showList();
    }
    this.renderList();
  }

  onLeft(conversationId) {
    this.inbox.remove(conversationId);
    if (this.pane.isOpen(conversationId)) this.pane.close();
    this.notice.show("You left the group.", 6000);
    this.showList();
    this.renderList();
  }

  onUnread(payload) {
    this.applyUnread(payload?.conversationId, payload?.unreadCount, payload?.lastReadSeq);
  }

  onRead(conversationId, ack, seq) {
    this.applyUnread(conversationId, ack.unreadCount, seq);
  }

  applyUnread(conversationId, unreadCount, lastReadSeq) {
    const { changed, stale } = this.inbox.setUnread(conversationId, unreadCount, lastReadSeq);
    if (stale) this.fetchConversation(conversationId); // a snapshot after the pushes, exact
    if (changed) this.renderList();
  }

  // Tells the server that messages up to `seq` reached this device (once per seq).
  markDelivered(conversationId, seq) {
    if (typeof conversationId !== "number" || typeof seq !== "number") return;
    if ((this.deliveredSent.get(conversationId) ?? 0) >= seq) return;
    this.deliveredSent.set(conversationId, seq);
    request(this.socket(), "mark_delivered", { conversationId, seq }).catch(() => this.deliveredSent.delete(conversationId));
  }

  // --- opening ---------------------------------------------------------------------------

  openById(id) {
    const c = this.inbox.get(id);
    if (!c) return;
    if (this.pane.isOpen(id)) {
      // Already open behind the list (a phone after Back): show it again, at its newest.
      document.body.dataset.pane = "conversation";
      this.pane.view.scrollToBottom();
      this.pane.ui.input.focus();
      this.pane.scheduleMark();
      return this.renderList();
    }
    document.body.dataset.pane = "conversation"; // first: a hidden composer cannot take the focus
    this.pane.open({ conversation: c });
    this.afterOpen();
  }

  // From the people search: the direct conversation with that person, stored or not yet.
  openPerson(person) {
    this.names.set(person.id, person.name);
    const c = this.inbox.directWith(person.id);
    document.body.dataset.pane = "conversation";
    this.pane.open(c ? { conversation: c, person: { id: person.id, name: person.name } } : { person: { id: person.id, name: person.name } });
    this.afterOpen();
  }

  afterOpen() {
    this.renderList();
    this.renderPeople();
  }

  onLearnedId() {
    this.renderList();
  }

  onCreated(conversation) {
    this.onConversation(conversation);
    this.openById(conversation.id);
  }

  // Back (on a phone): the list, with the focus where it was.
  showList() {
    const open = this.pane.current;
    document.body.dataset.pane = "list";
    const selector = open?.conversationId && !this.ui.search.value
      ? `#conversation-list [data-conversation-id="${open.conversationId}"]`
      : open?.peer ? `#people [data-person-id="${CSS.escape(open.peer.id)}"]` : null;
    if (selector) document.querySelector(selector)?.focus();
  }

  // --- people ----------------------------------------------------------------------------

  // While the search box has text, the people found replace the conversation list.
  // At once on typing (the results follow): the list never shows under a search's answer.
  showSearching() {
    const text = this.ui.search.value.trim();
    this.ui.people.hidden = !text;
    this.ui.list.hidden = !!text;
    this.ui.more.hidden = !!text || !this.inbox.nextCursor;
    this.ui.inboxStatus.hidden = !!text;
    if (!text) this.ui.people.replaceChildren();
  }

  async loadPeople() {
    const text = this.ui.search.value.trim();
    this.showSearching();
    if (!text) {
      this.people = [];
      this.ui.people.replaceChildren();
      this.ui.peopleStatus.textContent = "";
      return;
    }
    try {
      const found = await this.peopleSearch.find(text);
      if (!found || this.ui.search.value.trim() !== text) return;
      this.people = found;
      for (const p of found) this.names.set(p.id, p.name);
      this.ui.peopleStatus.textContent = found.length ? "" : "No one by that name.";
      this.renderPeople();
      this.presence.refresh();
    } catch {
      this.ui.peopleStatus.textContent = "Could not load people.";
    }
  }

  renderPeople() {
    const focusedId = document.activeElement?.dataset?.personId;
    const peer = this.pane.current?.peer;
    this.ui.people.replaceChildren(...this.people.map((p) => personItem(p, {
      current: peer?.id === p.id, online: this.presence.isOnline(p.id), onOpen: (x) => this.openPerson(x),
    })));
    if (focusedId) this.ui.people.querySelector(`[data-person-id="${CSS.escape(focusedId)}"]`)?.focus();
  }

  // --- presence --------------------------------------------------------------------------

  // Whose presence is on screen: the list's direct conversations, the people found, the open
  // conversation's person.
  presenceWanted() {
    const ids = new Set(this.people.map((p) => p.id));
    for (const c of this.inbox.byId.values()) if (c.kind === "direct") for (const id of this.inbox.otherIds(c)) ids.add(id);
    const peer = this.pane.current?.peer?.id;
    if (peer) ids.add(peer);
    ids.delete(this.inbox.myId);
    return ids;
  }

  // The open direct conversation's header says whether its person is online.
  showPeerPresence() {
    const open = this.pane.current;
    const peer = open?.kind === "direct" ? open.peer?.id : null;
    this.presence.showPeer(peer && peer !== this.inbox.myId ? peer : null);
  }
}
