// A group's members, from the conversation's header: who is in it (and their roles), Remove
// for those the person may remove (owner/admin; an admin not an owner), Add people, Rename
// (owner/admin), Make admin / Make member (owner), and Leave.
// The server's conversation_updated brings the new member list; `update` re-renders it.
import { findPeople } from "./people.js";
import { request } from "./requests.js";

const $ = (id) => document.getElementById(id);
const ROLE_TEXT = { owner: "owner", admin: "admin", member: "" };

export class MembersDialog {
  // context(): {socket, token, myId}; conversation(): the open group or null; onLeft(id);
  // listen(target, event, fn); learn(person): a name seen.
  constructor({ context, conversation, onLeft, listen, learn }) {
    Object.assign(this, { context, conversation, onLeft, learn });
    this.dialog = $("members-dialog");
    this.title = $("members-title");
    this.list = $("member-list");
    this.adding = $("add-members");
    this.search = $("add-search");
    this.results = $("add-results");
    this.error = $("members-error");
    this.rename = $("rename-form");
    this.renameTitle = $("rename-title");
    listen(this.rename, "submit", (event) => {
      event.preventDefault();
      const c = this.conversation();
      const title = this.renameTitle.value.trim();
      if (c && title && title !== c.title) this.act("update_conversation", { conversationId: c.id, title }, this.rename.querySelector("button"));
    });
    this.searchTimer = 0;
    listen($("members-close"), "click", () => this.dialog.close());
    listen($("leave-group"), "click", () => this.leave());
    listen(this.search, "input", () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => this.find(), 200);
    });
  }

  open() {
    this.error.textContent = "";
    this.search.value = "";
    this.results.replaceChildren();
    this.renameTitle.value = this.conversation()?.title ?? "";
    this.update();
    this.dialog.showModal();
  }

  close() {
    if (this.dialog.open) this.dialog.close();
  }

  mayManage(c) {
    return c?.myRole === "owner" || c?.myRole === "admin";
  }

  // Re-renders from the conversation as known now (after conversation_updated too).
  update() {
    const c = this.conversation();
    if (!c || c.kind !== "group") return this.close();
    const { myId } = this.context();
    this.title.textContent = `Members of ${c.title || "the group"}`;
    const manage = this.mayManage(c);
    this.list.replaceChildren(...(c.members ?? []).map((m) => {
      const li = document.createElement("li");
      const name = document.createElement("span");
      name.textContent = m.id === myId ? `${m.name} (you)` : m.name;
      li.append(name);
      if (ROLE_TEXT[m.role]) {
        const role = document.createElement("span");
        role.className = "muted";
        role.textContent = ` ${ROLE_TEXT[m.role]}`;
        li.append(role);
      }
      if (c.myRole === "owner" && m.id !== myId) {
        const promote = m.role === "member";
        const role = document.createElement("button");
        role.type = "button";
        role.className = "secondary small";
        role.textContent = promote ? "Make admin" : "Make member";
        role.setAttribute("aria-label", promote ? `Make ${m.name} an admin` : `Make ${m.name} a member`);
        role.addEventListener("click", () =>
          this.act("set_role", { conversationId: c.id, userId: m.id, role: promote ? "admin" : "member" }, role));
        li.append(role);
      }
      const removable = manage && m.id !== myId && !(c.myRole === "admin" && m.role === "owner");
      if (removable) {
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "secondary small";
        remove.textContent = "Remove";
        remove.setAttribute("aria-label", `Remove ${m.name}`);
        remove.addEventListener("click", () => this.act("remove_member", { conversationId: c.id, userId: m.id }, remove));
        li.append(remove);
      }
      return li;
    }));
    this.adding.hidden = !manage;
    this.rename.hidden = !manage;
    if (this.search.value) this.find();
  }

  async find() {
    const c = this.conversation();
    const { token, myId } = this.context();
    if (!c) return;
    try {
      const found = await findPeople({ token, myId }, this.search.value);
      const members = new Set((c.members ?? []).map((m) => m.id));
      const addable = found.filter((p) => !members.has(p.id));
      for (const p of addable) this.learn(p);
      this.results.replaceChildren(...addable.map((p) => {
        const li = document.createElement("li");
        const add = document.createElement("button");
        add.type = "button";
        add.className = "secondary small";
        add.textContent = `Add ${p.name}`;
        add.addEventListener("click", () => this.act("add_members", { conversationId: c.id, userIds: [p.id] }, add));
        li.append(add);
        return li;
      }));
    } catch (error) {
      this.error.textContent = `Could not load people (${error.message}).`;
    }
  }

  async act(event, payload, button) {
    this.error.textContent = "";
    button.disabled = true;
    try {
      const ack = await request(this.context().socket, event, payload);
      if (!ack.success) this.error.textContent = ack.error || "That did not work.";
    } catch (error) {
      this.error.textContent = error.message;
    } finally {
      button.disabled = false;
    }
  }

  async leave() {
    const c = this.conversation();
    if (!c) return;
    this.error.textContent = "";
    try {
      const ack = await request(this.context().socket, "leave_conversation", { conversationId: c.id });
      if (!ack.success) {
        this.error.textContent = ack.error || "Could not leave the group.";
        return;
      }
      this.close();
      this.onLeft(c.id);
    } catch (error) {
      this.error.textContent = error.message;
    }
  }
}
