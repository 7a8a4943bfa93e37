// The "New group" dialog: a name, a checkbox per person (the ticked ones stay ticked while the
// list is filtered), Create. create_conversation makes the group; the caller opens it.
import { findPeople } from "./people.js";
import { request } from "./requests.js";

const $ = (id) => document.getElementById(id);

export class GroupDialog {
  // context(): {socket, token, myId}; onCreated(conversation); listen(target, event, fn).
  constructor({ context, onCreated, listen }) {
    Object.assign(this, { context, onCreated });
    this.dialog = $("group-dialog");
    this.name = $("group-name");
    this.filter = $("group-filter");
    this.people = $("group-people");
    this.error = $("group-error");
    this.create = $("group-create");
    this.chosen = new Map(); // id -> name
    this.filterTimer = 0;
    listen($("group-cancel"), "click", () => this.dialog.close());
    listen($("group-form"), "submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    listen(this.filter, "input", () => {
      clearTimeout(this.filterTimer);
      this.filterTimer = setTimeout(() => this.load(), 200);
    });
  }

  open() {
    this.chosen.clear();
    this.name.value = "";
    this.filter.value = "";
    this.error.textContent = "";
    this.people.replaceChildren();
    this.dialog.showModal();
    this.name.focus();
    this.load();
  }

  async load() {
    const { token, myId } = this.context();
    try {
      const found = await findPeople({ token, myId }, this.filter.value);
      // The ticked ones first, also when the filter no longer finds them.
      const shown = [...this.chosen].map(([id, name]) => ({ id, name }));
      for (const p of found) if (!this.chosen.has(p.id)) shown.push(p);
      this.people.replaceChildren(...shown.map((p) => this.choice(p)));
      if (!shown.length) this.people.append(note(this.filter.value ? "No one by that name." : "No one else is here yet."));
    } catch (error) {
      this.error.textContent = `Could not load people (${error.message}).`;
    }
  }

  choice(person) {
    const li = document.createElement("li");
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = person.id;
    box.checked = this.chosen.has(person.id);
    box.addEventListener("change", () => (box.checked ? this.chosen.set(person.id, person.name) : this.chosen.delete(person.id)));
    const name = document.createElement("span");
    name.textContent = person.name;
    label.append(box, name);
    li.append(label);
    return li;
  }

  async submit() {
    const title = this.name.value.trim();
    if (!title) {
      this.error.textContent = "Give the group a name.";
      return this.name.focus();
    }
    if (!this.chosen.size) {
      this.error.textContent = "Pick at least one person.";
      return;
    }
    this.error.textContent = "";
    this.create.disabled = true;
    try {
      const ack = await request(this.context().socket, "create_conversation", { title, memberIds: [...this.chosen.keys()] });
      if (!ack.success) {
        this.error.textContent = ack.error || "The group could not be created.";
        return;
      }
      this.dialog.close();
      this.onCreated(ack.conversation);
    } catch (error) {
      this.error.textContent = `The group could not be created (${error.message}).`;
    } finally {
      this.create.disabled = false;
    }
  }
}

function note(text) {
  const li = document.createElement("li");
  li.className = "muted";
  li.textContent = text;
  return li;
}
