// The open conversation's messages on screen: in seq order (one's own not yet stored at the
// end), grouped by sender and day, system entries as notes, one's own with their state (Sent,
// Delivered, Read; sending or failed before that), and a "New messages" cue while scrolled up.
// User text reaches the page only as text nodes (text.js).
import { dayKey, dayLabel, messageTime, parseTime } from "./format.js";
import { STATE_LABEL, STATE_MARK } from "./receipts.js";
import { systemText } from "./system-text.js";
import { renderText } from "./text.js";

// Messages of one sender closer than this stay in one group (no repeated name).
const GROUP_GAP_MS = 5 * 60 * 1000;

export class MessageView {
  constructor({ log, list, cue, myId, nameOf, listen }) {
    Object.assign(this, { log, list, cue, myId, nameOf });
    this.isGroup = false;
    listen(cue, "click", () => this.scrollToBottom());
    listen(log, "scroll", () => this.nearBottom() && (cue.hidden = true));
  }

  clear(isGroup = false) {
    this.isGroup = isGroup;
    this.list.replaceChildren();
    this.cue.hidden = true;
  }

  // Server messages; one already shown is left alone, except that a pending one of ours takes
  // its id and seq (`adopt`, by clientMessageId). Returns whether others wrote something new.
  merge(messages, adopt = () => null) {
    let fromOthers = false;
    for (const message of messages) {
      if (typeof message?.id !== "number") continue;
      const shown = this.list.querySelector(`li[data-id="${message.id}"]`);
      if (shown) {
        // Ours, acknowledged before its receive_message: the server's time replaces the local one.
        if (!shown.querySelector("time")?.dateTime) this.stamp(shown, message);
        continue;
      }
      const li = (message.senderId === this.myId && adopt(message)) || this.element(message);
      this.stamp(li, message);
      this.place(li);
      if (message.senderId !== this.myId) fromOthers = true;
    }
    this.decorate();
    return fromOthers;
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
    renderText(text, message.content ?? "");
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
    setTime(li, message.createdAt);
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

function setTime(li, iso) {
  const time = li.querySelector("time");
  const date = parseTime(iso);
  if (!time || !date) return;
  if (iso) time.dateTime = iso;
  time.textContent = messageTime(date);
  time.title = date.toLocaleString();
}
