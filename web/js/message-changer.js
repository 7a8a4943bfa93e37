// The person's changes to the messages of the open conversation (docs/api.md "Changing
// messages"), from the buttons on each message (message-parts.js): reacting (the palette, or
// a chip, which toggles one's own), replying, editing in place, deleting once confirmed, and
// the earlier versions of an edited one. An answer goes onto the screen at once (the push that
// follows it changes nothing more); a refusal shows as a notice.
import { ConfirmDialog } from "./confirm-dialog.js";
import { EditHistoryDialog } from "./edit-history-dialog.js";
import { MessageEditor } from "./message-editor.js";
import { snippet } from "./quotes.js";
import { ReactionPicker } from "./reaction-picker.js";
import { toggleEvent } from "./reactions.js";
import { request } from "./requests.js";

const NOTICE_MS = 6000;
const $ = (id) => document.getElementById(id);

export class MessageChanger {
  // socket(): the socket or null; view: the MessageView; reply: the ReplyBar; notice: the
  // Notice; listen(target, event, fn): a listener removed with the session.
  constructor({ socket, view, reply, notice, myId, listen }) {
    Object.assign(this, { socket, view, reply, notice, myId });
    this.picker = new ReactionPicker({ onPick: (li, emoji) => this.toggleReaction(li, emoji), listen });
    this.editor = new MessageEditor({ onSave: (li, content) => this.saveEdit(li, content) });
    this.confirm = new ConfirmDialog({ dialog: $("delete-dialog"), detail: $("delete-snippet") });
    this.history = new EditHistoryDialog({
      dialog: $("edit-history"), list: $("edit-history-list"), status: $("edit-history-status"),
      closeButton: $("edit-history-close"), listen,
    });
    this.reacting = new Set(); // "messageId emoji" of the reaction requests on their way
  }

  // The button `button` with data-action `action` of message element `li` was pressed.
  act(action, { li, button }) {
    // A quote goes to its message also from a reply still on its way.
    if (action === "quote") return this.view.reveal(Number(button.dataset.target));
    const message = this.view.messageOf(li);
    if (!message) return;
    switch (action) {
      case "react": return this.picker.toggle(li, button, message.reactions, this.myId);
      case "toggle-reaction": return this.toggleReaction(li, button.dataset.emoji);
      case "reply": return this.reply.start(message);
      case "edit": return this.editor.open(li, message.content ?? "");
      case "delete": return this.remove(li, message);
      case "history": return this.showHistory(message);
    }
  }

  async toggleReaction(li, emoji) {
    const message = this.view.messageOf(li);
    const key = `${message?.id} ${emoji}`;
    // A double click toggles once: the second waits for nothing and asks nothing.
    if (!message || message.deleted || this.reacting.has(key)) return;
    this.reacting.add(key);
    const event = toggleEvent(message.reactions, emoji, this.myId);
    try {
      const ack = await this.ask(event, { messageId: message.id, emoji }, event === "add_reaction" ? "add the reaction" : "remove the reaction");
      if (ack) this.view.change(message.id, "reaction_updated", ack);
    } finally {
      this.reacting.delete(key);
    }
  }

  // The editor's Save: true closes it.
  async saveEdit(li, content) {
    const message = this.view.messageOf(li);
    if (!message || message.deleted || content === message.content) return true;
    if (!content.trim()) {
      this.notice.show("A message cannot be empty. To remove it, delete it.", NOTICE_MS);
      return false;
    }
    const ack = await this.ask("edit_message", { messageId: message.id, content }, "edit the message");
    if (!ack) return false;
    this.view.change(message.id, "message_updated", ack);
    return true;
  }

  async remove(li, message) {
    if (!(await this.confirm.ask(snippet(message.content)))) return;
    const ack = await this.ask("delete_message", { messageId: message.id }, "delete the message");
    if (ack) this.view.change(message.id, "message_deleted", { seq: ack.seq, deletedBy: this.myId, deletedAt: new Date().toISOString() });
  }

  showHistory(message) {
    const load = async () => {
      const ack = await request(this.socket(), "get_message_history", { messageId: message.id });
      if (!ack.success) throw new Error(ack.error || "not answered");
      return Array.isArray(ack.revisions) ? ack.revisions : [];
    };
    this.history.show(load, { createdAt: message.createdAt });
  }

  // The ack of a success, or null once the failure is shown.
  async ask(event, payload, what) {
    try {
      const ack = await request(this.socket(), event, payload);
      if (ack.success) return ack;
      this.notice.show(`Could not ${what}: ${ack.error || "refused"}.`, NOTICE_MS);
    } catch (error) {
      this.notice.show(`Could not ${what}: ${error.message}.`, NOTICE_MS);
    }
    return null;
  }

  // Message element `li` became a tombstone (or went): its palette and editor close.
  forget(li) {
    this.picker.forget(li);
    this.editor.forget(li);
  }

  // The conversation closed: nothing of it stays open.
  close() {
    this.picker.close();
    this.editor.cancel();
    this.confirm.close();
    this.history.close();
  }
}
