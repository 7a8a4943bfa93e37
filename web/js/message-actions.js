// Which actions a message offers the person looking at it (docs/api.md "Changing messages"):
// anyone may react and reply; only its sender edits it; its sender, or a group's owner or
// admin, deletes it. A system entry, a deleted message and one not stored yet offer none.
// Pure, no DOM; the server checks the same rules.

export function actionsFor(message, { myId, myRole }) {
  if (!message || typeof message.id !== "number" || message.kind === "system" || message.deleted) return [];
  const mine = message.senderId === myId;
  const manages = myRole === "owner" || myRole === "admin";
  return ["react", "reply", ...(mine ? ["edit"] : []), ...(mine || manages ? ["delete"] : [])];
}
