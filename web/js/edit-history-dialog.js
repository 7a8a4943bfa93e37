// The versions of an edited message (get_message_history), in a dialog: oldest first, the
// original, each edit with its time, the last one marked as the current text. A deleted
// message has none left: the server erases them with it.
import { messageTime, parseTime } from "./format.js";
import { renderText } from "./text.js";

export class EditHistoryDialog {
  // dialog, list, status, closeButton: its elements; listen(target, event, fn).
  constructor({ dialog, list, status, closeButton, listen }) {
    Object.assign(this, { dialog, list, status });
    this.serial = 0;
    listen(closeButton, "click", () => this.close());
  }

  // load(): resolves the revisions [{content, editedAt}], or rejects with a reason.
  // createdAt: the message's time, which is the original's.
  async show(load, { createdAt }) {
    const serial = ++this.serial;
    this.list.replaceChildren();
    this.status.textContent = "Loading…";
    if (!this.dialog.open) this.dialog.showModal();
    let revisions;
    try {
      revisions = await load();
    } catch (error) {
      if (serial === this.serial) this.status.textContent = `Could not load the earlier versions (${error.message}).`;
      return;
    }
    if (serial !== this.serial) return;
    this.status.textContent = revisions.length ? "" : "This message was deleted, and its versions with it.";
    this.list.replaceChildren(...revisions.map((revision, i) => this.item(revision, {
      original: i === 0, current: i === revisions.length - 1 && revisions.length > 1, createdAt,
    })));
  }

  item({ content, editedAt }, { original, current, createdAt }) {
    const li = document.createElement("li");
    const text = document.createElement("p");
    text.className = "text";
    renderText(text, content ?? "");
    const meta = document.createElement("p");
    meta.className = "muted";
    const iso = original ? createdAt : editedAt;
    const date = iso ? parseTime(iso) : null;
    const time = document.createElement("time");
    if (date) {
      time.dateTime = iso;
      time.textContent = messageTime(date);
    }
    meta.append(original ? "Original" : "Edited", date ? ", " : "", time, current ? " (current)" : "");
    li.append(text, meta);
    return li;
  }

  close() {
    this.serial++;
    if (this.dialog.open) this.dialog.close();
  }
}
