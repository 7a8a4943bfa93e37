// The palette the React button opens on a message: one toggle button per emoji (pressed when
// that reaction is one's own already, so choosing it again takes it back). Choosing closes it,
// and so do Escape, a press elsewhere and the focus leaving it; one is open at a time.
import { PALETTE, isMine } from "./reactions.js";

export class ReactionPicker {
  // onPick(li, emoji); listen(target, event, fn): a listener removed with the session.
  constructor({ onPick, listen }) {
    this.onPick = onPick;
    this.shown = null; // {li, opener, element}
    listen(document, "pointerdown", (event) => {
      const shown = this.shown;
      if (shown && !shown.element.contains(event.target) && !shown.opener.contains(event.target)) this.close();
    });
  }

  // The React button `opener` of message element `li` was pressed.
  toggle(li, opener, reactions, myId) {
    const again = this.shown?.opener === opener;
    this.close();
    if (again) return;
    const element = document.createElement("div");
    element.className = "reaction-picker";
    element.id = `reaction-picker-${li.dataset.id}`;
    element.setAttribute("role", "toolbar");
    element.setAttribute("aria-label", "Choose a reaction");
    PALETTE.forEach(({ emoji, name }, i) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "secondary small";
      button.textContent = emoji;
      button.title = name;
      button.tabIndex = i === 0 ? 0 : -1;
      button.setAttribute("aria-label", name);
      button.setAttribute("aria-pressed", String(isMine(reactions, emoji, myId)));
      button.addEventListener("click", () => {
        this.close({ focus: true });
        this.onPick(li, emoji);
      });
      element.append(button);
    });
    element.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      event.preventDefault();
      event.stopPropagation();
      this.close({ focus: true });
    });
    element.addEventListener("focusout", (event) => {
      const to = event.relatedTarget;
      if (to && !element.contains(to) && to !== opener) this.close();
    });
    opener.setAttribute("aria-expanded", "true");
    opener.setAttribute("aria-controls", element.id);
    li.append(element);
    this.shown = { li, opener, element };
    element.querySelector("button").focus();
  }

  // `focus`: back to the React button (after Escape or a choice), where the keyboard was.
  close({ focus = false } = {}) {
    const shown = this.shown;
    if (!shown) return;
    this.shown = null;
    shown.element.remove();
    shown.opener.setAttribute("aria-expanded", "false");
    shown.opener.removeAttribute("aria-controls");
    if (focus && shown.opener.isConnected) shown.opener.focus();
  }

  // The message is gone or became a tombstone.
  forget(li) {
    if (this.shown?.li === li) this.close();
  }
}
