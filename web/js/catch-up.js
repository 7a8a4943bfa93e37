// After a reconnection: what one conversation missed while away, asked with `sync` from the
// newest seq shown (docs/api.md "Catching up"). Its events are the pushes the page would have
// had, in order; replaying one already applied changes nothing (messages merge by id, changes
// by their seq).
import { request } from "./requests.js";

// Resolves {events, limited, gone}: `limited` when more than a page was missed (the caller
// starts over from the newest page), `gone` when the conversation is not the person's any more.
export async function missedSince(socket, conversationId, lastSeq) {
  const ack = await request(socket, "sync", { conversations: { [conversationId]: lastSeq } }, { retries: 5 });
  if (!ack.success) throw new Error(ack.error || "not answered");
  const item = (ack.conversations ?? []).find((c) => c.conversationId === conversationId);
  return {
    events: item?.events ?? [],
    limited: item?.limited === true,
    gone: (ack.removedConversationIds ?? []).includes(conversationId),
  };
}
