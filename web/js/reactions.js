// Reactions on a message (docs/api.md "Changing messages"): the small palette offered, the
// chips under a message ("👍 2", pressed when one of them is one's own), and whether choosing
// an emoji adds one's reaction or takes it back. Pure, no DOM.

// One emoji each, written as the server stores them (❤️ with its emoji presentation selector,
// which the server counts apart from a bare ❤).
export const PALETTE = [
  { emoji: "👍", name: "thumbs up" },
  { emoji: "❤️", name: "heart" },
  { emoji: "😂", name: "tears of joy" },
  { emoji: "🎉", name: "party popper" },
  { emoji: "😮", name: "surprised" },
  { emoji: "😢", name: "crying" },
];

// [{emoji, count, mine, userIds}] in the server's order, without emptied ones. Other clients
// may have used emoji outside the palette, or short names such as :party_parrot:; they show as
// sent.
export function chipsOf(reactions, myId) {
  return (reactions ?? [])
    .filter((r) => typeof r?.emoji === "string" && Array.isArray(r.userIds) && r.userIds.length > 0)
    .map((r) => ({ emoji: r.emoji, count: r.userIds.length, mine: r.userIds.includes(myId), userIds: r.userIds }));
}

export function isMine(reactions, emoji, myId) {
  return (reactions ?? []).some((r) => r?.emoji === emoji && r.userIds?.includes(myId));
}

// The request that toggles one's `emoji` on a message with these reactions.
export function toggleEvent(reactions, emoji, myId) {
  return isMine(reactions, emoji, myId) ? "remove_reaction" : "add_reaction";
}
