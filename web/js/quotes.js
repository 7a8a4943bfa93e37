// What a reply shows of the message it answers, in the message's quote and in the composer's
// "Replying to …" line: who wrote it and a one-line snippet. Pure, no DOM.
import { DELETED_TEXT } from "./message-changes.js";

const SNIPPET_LENGTH = 80;

// The text on one line, cut at about `max` characters (never inside a surrogate pair).
export function snippet(text, max = SNIPPET_LENGTH) {
  const line = String(text ?? "").replace(/\s+/gu, " ").trim();
  const chars = [...line];
  return chars.length <= max ? line : `${chars.slice(0, max - 1).join("").trimEnd()}…`;
}

// {who, text} of the replied message, or null when it is not loaded here.
export function quoteOf(target, { myId, nameOf }) {
  if (!target) return null;
  const who = target.senderId === myId ? "You" : target.senderName ?? nameOf(target.senderId);
  const text = target.deleted ? DELETED_TEXT : snippet(target.content) || (target.attachments?.length ? "Attachment" : "");
  return { who, text };
}

// The composer's line while replying.
export function replyingText(target, names) {
  const quote = quoteOf(target, names);
  if (!quote) return "Replying to a message";
  return `Replying to ${quote.who === "You" ? "yourself" : quote.who}: ${quote.text}`;
}
