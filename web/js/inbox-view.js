// The conversation list on screen: one button per conversation, most recent activity first,
// named by its title (or the other person) and "N unread"; the last message as its description,
// and for a direct conversation with someone shown online, a dot and ", online" in its name.
import { listTime, parseTime } from "./format.js";
import { systemText } from "./system-text.js";

export class InboxView {
  // isOnline(userId): whether presence.js shows that person online.
  constructor({ list, inbox, nameOf, onOpen, isOnline = () => false }) {
    Object.assign(this, { list, inbox, nameOf, onOpen, isOnline });
    this.currentId = null;
  }

  render() {
    const focusedId = document.activeElement?.dataset?.conversationId;
    this.list.replaceChildren(...this.inbox.ordered().map((c) => this.entry(c)));
    if (focusedId) this.list.querySelector(`[data-conversation-id="${CSS.escape(focusedId)}"]`)?.focus();
  }

  entry(c) {
    const title = this.inbox.titleOf(c);
    const unread = c.unreadCount ?? 0;
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "conversation-entry";
    button.dataset.conversationId = String(c.id);
    if (c.id === this.currentId) button.setAttribute("aria-current", "true");
    const online = c.kind === "direct" && this.inbox.otherIds(c).some((id) => this.isOnline(id));
    // The name a screen reader (and a test) hears: "Ann, 2 unread, online".
    button.setAttribute("aria-label", `${title}${unread ? `, ${unread} unread` : ""}${online ? ", online" : ""}`);
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = title;
    const time = document.createElement("time");
    const at = c.lastMessage?.createdAt ?? c.createdAt;
    const date = at ? parseTime(at) : null;
    if (date) {
      time.dateTime = at;
      time.textContent = listTime(date);
    }
    const preview = document.createElement("span");
    preview.className = "preview";
    preview.id = `preview-${c.id}`;
    preview.textContent = this.previewOf(c);
    button.setAttribute("aria-describedby", preview.id);
    if (online) {
      const dot = document.createElement("span");
      dot.className = "presence";
      dot.dataset.online = "true";
      dot.setAttribute("aria-hidden", "true");
      name.prepend(dot);
    }
    const badge = document.createElement("span");
    badge.className = "badge";
    badge.textContent = String(unread);
    badge.hidden = !unread;
    badge.setAttribute("aria-hidden", "true");
    button.append(name, time, preview, badge);
    button.addEventListener("click", () => this.onOpen(c.id));
    li.append(button);
    return li;
  }

  previewOf(c) {
    const m = c.lastMessage;
    if (!m) return c.kind === "group" ? "No messages yet" : "";
    if (m.kind === "system") return systemText(m, { myId: this.inbox.myId, nameOf: this.nameOf });
    const who = m.senderId === this.inbox.myId ? "You" : c.kind === "group" ? m.senderName ?? this.nameOf(m.senderId) : "";
    const text = m.deleted ? "Message deleted" : m.content || (m.attachments?.length ? "Attachment" : "");
    return who ? `${who}: ${text}` : text;
  }
}
