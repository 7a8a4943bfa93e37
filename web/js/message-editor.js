// Editing one's own message in place: its text gives way to a box with the text, Enter saves
// (Shift+Enter starts a new line), Escape cancels, and so do the Save and Cancel buttons. The
// box stays open while the save is on its way, and after a failure, so the text is not lost.
// One message is edited at a time.

export class MessageEditor {
  // onSave(li, content): resolves true once saved (or nothing to save), false to stay open.
  constructor({ onSave }) {
    this.onSave = onSave;
    this.editing = null; // {li, form, input, saving}
  }

  isEditing(li) {
    return this.editing?.li === li;
  }

  open(li, content) {
    if (this.isEditing(li)) return this.editing.input.focus();
    this.cancel();
    const text = li.querySelector(":scope > .text");
    const form = document.createElement("form");
    form.className = "editor";
    const input = document.createElement("textarea");
    input.rows = 1;
    input.value = content;
    input.setAttribute("aria-label", "Edit message");
    const hint = document.createElement("span");
    hint.className = "muted";
    hint.id = `edit-hint-${li.dataset.id}`;
    hint.textContent = "Enter saves, Escape cancels";
    input.setAttribute("aria-describedby", hint.id);
    const save = button("Save", "submit", "");
    const cancel = button("Cancel", "button", "secondary");
    const actions = document.createElement("div");
    actions.className = "editor-actions";
    actions.append(hint, save, cancel);
    form.append(input, actions);
    const editing = (this.editing = { li, form, input, saving: false });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.save(editing);
    });
    cancel.addEventListener("click", () => this.cancel({ focus: true }));
    input.addEventListener("keydown", (event) => {
      // The list's own keys (the toolbar's arrows) have nothing to do inside the box.
      event.stopPropagation();
      if (event.key === "Escape") {
        event.preventDefault();
        this.cancel({ focus: true });
      } else if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.save(editing);
      }
    });
    // As tall as its text (wrapped lines too), like the composer.
    const autosize = () => {
      input.style.height = "auto";
      input.style.height = `${Math.min(input.scrollHeight + 2, 240)}px`;
    };
    input.addEventListener("input", autosize);
    text.hidden = true;
    text.after(form);
    autosize();
    input.focus();
    input.setSelectionRange(content.length, content.length);
  }

  async save(editing) {
    if (editing.saving || this.editing !== editing) return;
    editing.saving = true;
    editing.input.readOnly = true;
    editing.form.setAttribute("aria-busy", "true");
    let done = false;
    try {
      done = await this.onSave(editing.li, editing.input.value);
    } finally {
      editing.saving = false;
      editing.input.readOnly = false;
      editing.form.removeAttribute("aria-busy");
    }
    if (this.editing !== editing) return;
    if (done) this.cancel({ focus: true });
    else editing.input.focus();
  }

  // Closes the box (without saving); `focus`: back to the message's Edit button.
  cancel({ focus = false } = {}) {
    const editing = this.editing;
    if (!editing) return;
    this.editing = null;
    editing.form.remove();
    const text = editing.li.querySelector(":scope > .text");
    if (text) text.hidden = false;
    if (!focus) return;
    const edit = editing.li.querySelector('[data-action="edit"]');
    if (edit) {
      edit.closest('[role="toolbar"]')?.querySelectorAll("button").forEach((b) => (b.tabIndex = b === edit ? 0 : -1));
      edit.focus();
    } else if (editing.li.isConnected) {
      editing.li.tabIndex = -1;
      editing.li.focus();
    }
  }

  // The message is gone or became a tombstone: nothing is left to edit.
  forget(li) {
    if (this.isEditing(li)) this.cancel();
  }
}

function button(text, type, className) {
  const element = document.createElement("button");
  element.type = type;
  element.className = `small ${className}`.trim();
  element.textContent = text;
  return element;
}
