// What the changes to a sent message do to the copy on screen (docs/api.md "Changing
// messages"): an edit replaces it (message_updated, or edit_message's answer), a deletion leaves
// a tombstone (message_deleted, delete_message's answer), a reaction change replaces its
// reactions (reaction_updated, the add/remove_reaction answer). Pure, no DOM.
//
// Each change is an entry of the conversation's log with a seq of its own. A copy remembers the
// newest change applied to it (`changeSeq`), so a change arriving late or twice (one's own
// answer after the push of a newer change) never undoes a newer one; a deletion is final.
// An answer without a seq changed nothing, so there is nothing to apply.

export const DELETED_TEXT = "This message was deleted";

// A message as shown: {message, changeSeq}.
export function entryOf(message) {
  return { message, changeSeq: 0 };
}

function isNewer(entry, seq) {
  return typeof seq === "number" && seq > entry.changeSeq;
}

function changed(message, seq) {
  return { message, changeSeq: seq };
}

// message_updated {seq, message}: the whole message, with its new content and editedAt.
export function applyEdit(entry, { seq, message } = {}) {
  if (!message || entry.message.deleted || !isNewer(entry, seq)) return null;
  return changed({ ...entry.message, ...message }, seq);
}

// message_deleted {seq, deletedAt, deletedBy}: what is left is the tombstone history shows.
export function applyDeletion(entry, { seq, deletedAt, deletedBy } = {}) {
  if (entry.message.deleted || !isNewer(entry, seq)) return null;
  return changed(tombstone(entry.message, { deletedAt, deletedBy }), seq);
}

// reaction_updated {seq, reactions}: the full current list.
export function applyReactions(entry, { seq, reactions } = {}) {
  if (!Array.isArray(reactions) || entry.message.deleted || !isNewer(entry, seq)) return null;
  return changed({ ...entry.message, reactions }, seq);
}

// The changes by the name of their push; each returns the new entry, or null for no change.
export const CHANGES = { message_updated: applyEdit, message_deleted: applyDeletion, reaction_updated: applyReactions };

// The id of the message a change push is about.
export function changedMessageId(event, payload) {
  return event === "message_updated" ? payload?.message?.id : payload?.messageId;
}

export function tombstone(message, { deletedAt, deletedBy } = {}) {
  return {
    ...message, deleted: true, content: "", attachments: [], reactions: [],
    ...(deletedAt ? { deletedAt } : {}), ...(deletedBy ? { deletedBy } : {}),
  };
}

// A page of get_messages (after a reconnection: what changed while away) with a message
// already shown. Its copy replaces ours unless it is older than what a push brought: an edit
// is not undone by an earlier text, nor a deletion by the text it erased.
export function applyCopy(entry, message) {
  const shown = entry.message;
  if (shown.deleted && !message.deleted) return null;
  if (!message.deleted && (shown.editedAt ?? "") > (message.editedAt ?? "")) return null;
  return { message: { ...shown, ...message }, changeSeq: entry.changeSeq };
}
