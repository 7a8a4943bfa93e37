// The composer's "Replying to Ann: …" line while a reply is written, with its Cancel button
// (Escape in the message box cancels too). The message sent next carries the replyToId; a
// replied message that gets deleted ends the reply (the server takes no reply to a tombstone).
import { replyingText } from "./quotes.js";

export class ReplyBar {
  // bar, text, cancelButton, input: the elements; names: {myId, nameOf}; listen(target, event, fn).
  constructor({ bar, text, cancelButton, input, names, listen }) {
    Object.assign(this, { bar, text, input, names });
    this.target = null;
    this.describedBy = input.getAttribute("aria-describedby") ?? "";
    listen(cancelButton, "click", () => {
      this.cancel();
      input.focus();
    });
    listen(input, "keydown", (event) => {
      if (event.key !== "Escape" || !this.target) return;
      event.preventDefault();
      this.cancel();
    });
  }

  get targetId() {
    return this.target?.id ?? null;
  }

  start(message) {
    this.target = message;
    this.render();
    this.bar.hidden = false;
    // Heard with the message box: what the message being written answers.
    this.input.setAttribute("aria-describedby", `${this.text.id} ${this.describedBy}`.trim());
    this.input.focus();
  }

  // The replied message changed: edited (the line follows), or deleted.
  update(message) {
    if (!this.target || message?.id !== this.target.id) return;
    if (message.deleted) return this.cancel();
    this.target = message;
    this.render();
  }

  render() {
    this.text.textContent = replyingText(this.target, this.names);
  }

  cancel() {
    this.target = null;
    this.bar.hidden = true;
    this.text.textContent = "";
    if (this.describedBy) this.input.setAttribute("aria-describedby", this.describedBy);
    else this.input.removeAttribute("aria-describedby");
  }
}
