// People found through the REST user search (GET /api/users?search=): the side pane's search
// (to start a direct conversation) and the group dialogs' pickers use it.
import { api } from "./session.js";

export class PeopleSearch {
  // token(): the session's token; onUnauthorized(): the token is no longer accepted.
  constructor({ token, myId, onUnauthorized }) {
    Object.assign(this, { token, myId, onUnauthorized });
    this.serial = 0;
  }

  // [{id, name}] without oneself, or null when the newer search overtook this one. Throws when
  // the server cannot be asked. (Who is online comes from presence.js: the search's `online`
  // knows nothing of the grace after a last socket closed, nor of appearing offline.)
  async find(text) {
    const serial = ++this.serial;
    const { status, data } = await api("GET", `/api/users?search=${encodeURIComponent(text.trim())}`, { token: this.token() });
    if (status === 401) this.onUnauthorized();
    if (status !== 200 || !Array.isArray(data)) throw new Error(`the server answered ${status}`);
    if (serial !== this.serial) return null;
    return data.filter((p) => p.id !== this.myId).map(({ id, name }) => ({ id, name }));
  }
}

// A one-shot search for a picker (its own serial, so two pickers never cancel each other).
export async function findPeople({ token, myId }, text) {
  const { status, data } = await api("GET", `/api/users?search=${encodeURIComponent(text.trim())}`, { token });
  if (status !== 200 || !Array.isArray(data)) throw new Error(`the server answered ${status}`);
  return data.filter((p) => p.id !== myId);
}

// The side pane's list of people found: one button per person, named by the name ("Ann, online"
// and a dot for someone shown online: `online`, from presence.js).
export function personItem(person, { current, online = false, onOpen }) {
  const li = document.createElement("li");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "person";
  button.dataset.personId = person.id;
  if (current) button.setAttribute("aria-current", "true");
  if (online) button.setAttribute("aria-label", `${person.name}, online`);
  const name = document.createElement("span");
  name.className = "name";
  name.textContent = person.name;
  const dot = document.createElement("span");
  dot.className = "presence";
  dot.dataset.online = String(online);
  dot.setAttribute("aria-hidden", "true");
  button.append(dot, name);
  button.addEventListener("click", () => onOpen(person));
  li.append(button);
  return li;
}
