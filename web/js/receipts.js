// How far each member of a conversation has received and read (their watermarks, from
// get_receipts and the receipt pushes), and what that makes of one's own message: Sent,
// Delivered (to every other member) or Read (by every other member). Pure, no DOM.

export class Receipts {
  constructor() {
    this.byUser = new Map(); // userId -> {readSeq, deliveredSeq}
  }

  // From get_receipts: [{userId, readSeq, deliveredSeq}].
  load(list) {
    for (const r of list ?? []) this.update(r.userId, { readSeq: r.readSeq, deliveredSeq: r.deliveredSeq });
  }

  // Watermarks never move backwards, so an older push arriving late changes nothing.
  update(userId, { readSeq, deliveredSeq }) {
    if (typeof userId !== "string") return false;
    const now = this.byUser.get(userId) ?? { readSeq: 0, deliveredSeq: 0 };
    const next = {
      readSeq: Math.max(now.readSeq, Number(readSeq) || 0),
      deliveredSeq: Math.max(now.deliveredSeq, Number(deliveredSeq) || 0, Number(readSeq) || 0),
    };
    if (next.readSeq === now.readSeq && next.deliveredSeq === now.deliveredSeq && this.byUser.has(userId)) return false;
    this.byUser.set(userId, next);
    return true;
  }

  // "sent", "delivered" or "read" for a message of seq `seq`, given the other members' ids.
  stateOf(seq, otherIds) {
    if (!otherIds.length) return "sent";
    const marks = otherIds.map((id) => this.byUser.get(id) ?? { readSeq: 0, deliveredSeq: 0 });
    if (marks.every((m) => m.readSeq >= seq)) return "read";
    if (marks.every((m) => m.deliveredSeq >= seq)) return "delivered";
    return "sent";
  }
}

export const STATE_LABEL = { sent: "Sent", delivered: "Delivered", read: "Read" };
export const STATE_MARK = { sent: "✓", delivered: "✓✓", read: "✓✓" };
