// The "Appear offline" checkbox: set_presence {appearOffline}, showing what the server's answer
// says. The setting is the server's (kept in its database); it is read back on every connection
// with get_presence on one's own id, which answers online: false while connected only when one
// appears offline (api.md: a user appearing offline is shown so to everyone, itself included).
import { request } from "./requests.js";

export class AppearOfflineToggle {
  // box: the checkbox; socket(): the connection's socket or null; onError(text): say it failed.
  constructor({ box, myId, socket, onError, listen }) {
    Object.assign(this, { box, myId, socket, onError });
    this.sets = 0; // set_presence requests sent: a read-back older than one of them is stale
    this.box.checked = false;
    this.box.disabled = true; // until the server said what it is
    listen(box, "change", () => this.send(box.checked));
  }

  async connected() {
    const socket = this.socket();
    const sets = this.sets;
    try {
      const ack = await request(socket, "get_presence", { userIds: [this.myId] }, { retries: 5 });
      const own = ack.success && Array.isArray(ack.presence) ? ack.presence.find((p) => p?.userId === this.myId) : null;
      if (!own || socket !== this.socket() || sets !== this.sets) return;
      this.box.checked = own.online === false;
      this.box.disabled = false;
    } catch {
      // read again on the next connection
    }
  }

  async send(appearOffline) {
    const socket = this.socket();
    const sets = ++this.sets;
    this.box.disabled = true;
    let ack = null;
    try {
      ack = await request(socket, "set_presence", { appearOffline });
    } catch {
      // no answer: as it was
    }
    if (socket !== this.socket() || sets !== this.sets) return;
    this.box.disabled = false;
    if (ack?.success && typeof ack.appearOffline === "boolean") {
      this.box.checked = ack.appearOffline;
    } else {
      this.box.checked = !appearOffline;
      this.onError(ack?.error ? `Could not change "Appear offline" (${ack.error}).` : 'Could not change "Appear offline". Try again.');
    }
  }

  stop() {
    this.box.checked = false;
    this.box.disabled = true;
  }
}
