// The open conversation's messages on screen: in seq order (one's own not yet stored at the
// end), grouped by sender and day, system entries as notes, one's own with their state (Sent,
// Delivered, Read; sending or failed before that), and a "New messages" cue while scrolled up.
// Each stored message is kept as the server sent it, with the changes since (edits, deletions,
// reactions: message-changes.js), and drawn with what changes (message-parts.js); the buttons
// of those parts are handed to `onAction`. User text reaches the page only as text nodes.
import { dayKey, dayLabel, messageTime, parseTime } from "./format.js";
import { CHANGES, applyCopy, entryOf } from "./message-changes.js";
import { renderParts, renderQuote, toolbarKey } from "./message-parts.js";
import { STATE_LABEL, STATE_MARK } from "./receipts.js";
import { systemText } from "./system-text.js";

// Messages of one sender closer than this stay in one group (no repeated name).
const GROUP_GAP_MS = 5 * 60 * 1000;
// How long a message gone to from a reply's quote stays highlighted.
const HIGHLIGHT_MS = 2000;

export class MessageView {
  // onAction(action, {li, button}): a message's button with data-action was pressed;
  // onDeleted(li): a message shown is about to become a tombstone (what is open on it closes).
  constructor({ log, list, cue, myId, nameOf, listen, onAction, onDeleted }) {
    Object.assign(this, { log, list, cue, myId, nameOf, onDeleted });
    this.isGroup = false;
    this.role = null; // one's role in the open conversation: who may delete others' messages
    this.entries = new Map(); // message id -> {message, changeSeq} (message-changes.js)
    listen(cue, "click", () => this.scrollToBottom());
    listen(log, "scroll", () => this.nearBottom() && (cue.hidden = true));
    listen(list, "click", (event) => {
      const button = event.target.closest?.("button[data-action]");
      const li = button?.closest("li.message");
      if (li && list.contains(li)) onAction(button.dataset.action, { li, button });
    });
    listen(list, "keydown", toolbarKey);
  }

  clear(isGroup = false) {
    this.isGroup = isGroup;
    this.role = null;
    this.entries.clear();
    this.list.replaceChildren();
    this.cue.hidden = true;
  }

  // Server messages; one already shown keeps its place and takes the server's copy when that
  // is newer (applyCopy), and a pending one of ours takes its id and seq (`adopt`, by
  // clientMessageId). Returns whether others wrote something new.
  merge(messages, adopt = () => null) {
    let fromOthers = false;
    for (const message of messages) {
      if (typeof message?.id !== "number") continue;
      const shown = this.list.querySelector(`li[data-id="${message.id}"]`);
      if (shown) {
        // Ours, acknowledged before its receive_message: the server's time replaces the local one.
        if (!shown.querySelector("time")?.dateTime) this.stamp(shown, message);
        this.refresh(shown, message);
        continue;
      }
      const li = (message.senderId === this.myId && adopt(message)) || this.element(message);
      this.stamp(li, message);
      this.remember(li, message);
      this.place(li);
      if (message.senderId !== this.myId) fromOthers = true;
    }
    this.decorate();
    this.refreshQuotes(); // a replied message may have come with this page
    return fromOthers;
  }

  // What the parts of a message need to know to draw it.
  context() {
    return { myId: this.myId, myRole: this.role, nameOf: this.nameOf, lookup: (id) => this.entries.get(id)?.message ?? null };
  }

  // The stored message an element shows, as changed since (null: not stored yet).
  messageOf(li) {
    return li?.dataset.id ? this.entries.get(Number(li.dataset.id))?.message ?? null : null;
  }

  remember(li, message) {
    this.entries.set(message.id, entryOf(message));
    renderParts(li, message, this.context());
  }

  // A page's copy of a message on screen: what changed while away (a reconnection).
  refresh(li, message) {
    const entry = this.entries.get(message.id);
    if (!entry) return this.remember(li, message);
    const next = applyCopy(entry, message);
    if (next) this.redraw(li, next);
  }

  // One of ours acknowledged before its receive_message: stored, so its actions show now.
  stored(li, { content, replyToId }) {
    const id = Number(li.dataset.id);
    if (!li.dataset.id || this.entries.has(id)) return;
    this.remember(li, {
      id, seq: Number(li.dataset.seq), kind: "text", senderId: this.myId, content, attachments: [], reactions: [],
      createdAt: li.querySelector("time")?.dateTime || undefined, ...(typeof replyToId === "number" ? { replyToId } : {}),
    });
  }

  // A change (CHANGES: a push, or the answer to one's own request) to message `id`, if it is
  // shown. Returns the message as changed, or null when nothing changed.
  change(id, event, payload) {
    const entry = this.entries.get(id);
    const next = entry && CHANGES[event]?.(entry, payload);
    const li = next && this.list.querySelector(`li[data-id="${id}"]`);
    if (!li) return null;
    this.redraw(li, next);
    return next.message;
  }

  redraw(li, entry) {
    const hadFocus = li.contains(document.activeElement);
    if (entry.message.deleted) this.onDeleted(li);
    this.entries.set(entry.message.id, entry);
    renderParts(li, entry.message, this.context());
    // A button that went (Delete, on the tombstone) leaves the keyboard on its message.
    if (hadFocus && !li.contains(document.activeElement)) focusQuietly(li);
    this.refreshQuotes(entry.message.id);
  }

  // The quotes of the replies to `targetId` (all of them without one) as it is now.
  refreshQuotes(targetId = null) {
    const selector = targetId === null ? "li.message[data-reply-to]" : `li.message[data-reply-to="${targetId}"]`;
    const context = this.context();
    for (const li of this.list.querySelectorAll(selector)) {
      renderQuote(li, this.messageOf(li) ?? { replyToId: Number(li.dataset.replyTo) }, context);
    }
  }

  // One's role changed (or is known now): who may delete others' messages changes with it.
  setRole(role) {
    if (role === this.role) return;
    this.role = role ?? null;
    const context = this.context();
    for (const li of this.list.querySelectorAll("li.message[data-id]")) {
      const message = this.messageOf(li);
      if (message) renderParts(li, message, context);
    }
  }

  // From a reply's quote: the replied message, on screen and highlighted, with the focus.
  reveal(id) {
    const li = this.list.querySelector(`li.message[data-id="${id}"]`);
    if (!li) return;
    li.scrollIntoView({ block: "center", behavior: "smooth" });
    focusQuietly(li);
    li.classList.add("highlight");
    clearTimeout(li.highlightTimer);
    li.highlightTimer = setTimeout(() => li.classList.remove("highlight"), HIGHLIGHT_MS);
  }

  // The server's id, seq and time on an element (a pending one of ours, acknowledged).
  stamp(li, message) {
    if (typeof message.id === "number") li.dataset.id = String(message.id);
    if (typeof message.seq === "number") li.dataset.seq = String(message.seq);
    if (message.createdAt) setTime(li, message.createdAt);
  }

  element(message) {
    if (message.kind === "system") return this.systemElement(message);
    const mine = message.senderId === this.myId;
    const li = document.createElement("li");
    li.className = `message ${mine ? "mine" : "theirs"}`;
    li.dataset.sender = message.senderId ?? "";
    const author = document.createElement("span");
    author.className = "author";
    author.textContent = mine ? "You" : message.senderName ?? this.nameOf(message.senderId);
    const colon = document.createElement("span");
    colon.className = "visually-hidden";
    colon.textContent = ": ";
    author.append(colon);
    const text = document.createElement("p");
    text.className = "text";
    const meta = document.createElement("p");
    meta.className = "meta";
    const time = document.createElement("time");
    meta.append(time);
    if (mine) {
      const state = document.createElement("span");
      state.className = "state";
      meta.append(state);
    }
    li.append(author, text, meta);
    if (typeof message.replyToId === "number") li.dataset.replyTo = String(message.replyToId);
    setTime(li, message.createdAt);
    // The text, and the quote of a pending reply; the rest once stored (`remember`).
    renderParts(li, message, this.context());
    return li;
  }

  systemElement(message) {
    const li = document.createElement("li");
    li.className = "system";
    li.dataset.system = JSON.stringify(message.system ?? {});
    const text = document.createElement("p");
    text.textContent = systemText(message, { myId: this.myId, nameOf: this.nameOf });
    const time = document.createElement("time");
    li.append(text, time);
    setTime(li, message.createdAt);
    return li;
  }

  // In seq order; ours without a seq yet (sending, failed) stay at the end.
  place(li) {
    const seq = li.dataset.seq ? Number(li.dataset.seq) : null;
    if (seq !== null) {
      for (const other of this.list.children) {
        if (other === li || other.classList.contains("day")) continue;
        if (!other.dataset.seq || Number(other.dataset.seq) > seq) {
          this.list.insertBefore(li, other);
          return;
        }
      }
    }
    this.list.append(li);
  }

  // Day headings between days; a sender's name only at the start of their group.
  decorate() {
    this.list.querySelectorAll(":scope > li.day").forEach((li) => li.remove());
    let previous = null;
    let previousDay = null;
    for (const li of [...this.list.children]) {
      const date = parseTime(li.querySelector("time")?.dateTime || null) ?? new Date();
      const day = dayKey(date);
      if (day !== previousDay) {
        const heading = document.createElement("li");
        heading.className = "day";
        heading.textContent = dayLabel(date);
        this.list.insertBefore(heading, li);
        previous = null;
      }
      previousDay = day;
      if (li.classList.contains("message")) {
        const at = date.getTime();
        const continued = previous && previous.sender === li.dataset.sender && at - previous.at < GROUP_GAP_MS;
        li.classList.toggle("continued", !!continued);
        // Names shown in groups only; a direct conversation's header names the other person.
        li.querySelector(".author").classList.toggle("visually-hidden", !this.isGroup || continued || li.classList.contains("mine"));
        previous = { sender: li.dataset.sender, at };
      } else {
        previous = null;
      }
    }
  }

  // Names learned later (a member added by someone else) replace "someone".
  refreshSystemTexts() {
    for (const li of this.list.querySelectorAll("li.system")) {
      const system = JSON.parse(li.dataset.system || "{}");
      li.querySelector("p").textContent = systemText({ kind: "system", system }, { myId: this.myId, nameOf: this.nameOf });
    }
  }

  // Sending…, failed (with a Retry), or the state the receipts give.
  setState(li, state, { reason = "", onRetry = null } = {}) {
    li.dataset.state = state;
    const holder = li.querySelector(".state");
    if (!holder) return;
    holder.replaceChildren();
    holder.removeAttribute("role");
    holder.removeAttribute("aria-label");
    holder.removeAttribute("title");
    if (state === "sending") holder.textContent = "sending…";
    else if (state === "failed") {
      const label = document.createElement("span");
      label.textContent = reason ? `failed: ${reason}` : "failed";
      holder.append(label);
      if (onRetry) {
        const retry = document.createElement("button");
        retry.type = "button";
        retry.className = "retry secondary";
        retry.textContent = "Retry";
        retry.addEventListener("click", onRetry);
        holder.append(" ", retry);
      }
    } else if (STATE_LABEL[state]) {
      holder.setAttribute("role", "img");
      holder.setAttribute("aria-label", STATE_LABEL[state]);
      holder.title = STATE_LABEL[state];
      holder.textContent = STATE_MARK[state];
    }
  }

  // Our stored messages' states from the receipts.
  refreshStates(receipts, otherIds) {
    for (const li of this.list.querySelectorAll("li.message.mine[data-seq]")) {
      if (li.dataset.state === "sending" || li.dataset.state === "failed") continue;
      const state = receipts.stateOf(Number(li.dataset.seq), otherIds);
      if (li.dataset.state !== state) this.setState(li, state);
    }
  }

  firstSeq() {
    const li = this.list.querySelector("li[data-seq]");
    return li ? Number(li.dataset.seq) : null;
  }

  lastSeq() {
    const all = this.list.querySelectorAll("li[data-seq]");
    return all.length ? Number(all[all.length - 1].dataset.seq) : null;
  }

  isEmpty() {
    return !this.list.querySelector("li.message, li.system");
  }

  removeStored() {
    this.list.querySelectorAll("li[data-id]").forEach((li) => li.remove());
    this.entries.clear();
  }

  // The newest entry at least partly on screen: what "read" can honestly mean.
  highestVisibleSeq() {
    const view = this.log.getBoundingClientRect();
    if (view.height <= 0) return null;
    const all = this.list.querySelectorAll("li[data-seq]");
    for (let i = all.length - 1; i >= 0; i--) {
      const box = all[i].getBoundingClientRect();
      if (box.top < view.bottom && box.bottom > view.top) return Number(all[i].dataset.seq);
      if (box.bottom <= view.top) break;
    }
    return null;
  }

  nearBottom() {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 80;
  }

  scrollToBottom() {
    this.log.scrollTop = this.log.scrollHeight;
    this.cue.hidden = true;
  }

  // Something new arrived: follow it when at the bottom (or when it is ours), else say so.
  follow(stick, fromOthers) {
    if (stick) this.scrollToBottom();
    else if (fromOthers) this.cue.hidden = false;
  }
}

// The focus on an element that is not a control (tabindex -1: reachable by script only).
function focusQuietly(li) {
  li.tabIndex = -1;
  li.focus({ preventScroll: true });
}

function setTime(li, iso) {
  const time = li.querySelector("time");
  const date = parseTime(iso);
  if (!time || !date) return;
  if (iso) time.dateTime = iso;
  time.textContent = messageTime(date);
  time.title = date.toLocaleString();
}
