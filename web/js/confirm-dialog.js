// A question whose yes cannot be undone (deleting a message), asked in a modal <dialog> rather
// than window.confirm, which would stop the page (and its pushes) while it waits. The dialog's
// form has method=dialog: the button pressed becomes its returnValue; Escape leaves it empty.

export class ConfirmDialog {
  // dialog: the <dialog>, whose confirming button has value="confirm"; detail: where the
  // question's particulars go (as text).
  constructor({ dialog, detail }) {
    this.dialog = dialog;
    this.detail = detail;
  }

  // Resolves true when confirmed, false otherwise (Cancel, Escape, `close`). The dialog is
  // modal: nothing else can ask while it is open.
  ask(detailText) {
    this.detail.textContent = detailText;
    this.dialog.returnValue = "";
    this.dialog.showModal();
    return new Promise((resolve) => {
      this.dialog.addEventListener("close", () => resolve(this.dialog.returnValue === "confirm"), { once: true });
    });
  }

  close() {
    if (this.dialog.open) this.dialog.close();
  }
}
