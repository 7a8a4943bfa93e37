// The parts of a message on screen that change after it was sent (docs/api.md "Changing
// messages"): its text, or the tombstone of a deleted one; the "(edited)" marker that opens its
// earlier versions; the quote of the message it replies to; the reaction chips; and the
// toolbar of its actions. Every render updates the element in place and keeps the buttons that
// stay, so the keyboard focus is not lost when a push re-renders a message. Clicks are handled
// by whoever owns the list, through each button's data-action. User text only as text nodes.
import { actionsFor } from "./message-actions.js";
import { DELETED_TEXT } from "./message-changes.js";
import { quoteOf } from "./quotes.js";
import { chipsOf } from "./reactions.js";
import { renderText } from "./text.js";

// The buttons' text, which is their accessible name too (what one says to speech input, what a
// screen reader reads within the toolbar "Message actions" of that message).
const ACTIONS = { react: "React", reply: "Reply", edit: "Edit", delete: "Delete" };

// ctx: {myId, myRole, nameOf(id), lookup(id): a loaded message or null}. A system entry has
// none of these parts (its line is drawn once, from system-text.js, and never changes): nothing
// to do, whoever asks (a page that brings it again after a reconnection, a role change).
export function renderParts(li, message, ctx) {
  if (message.kind === "system") return;
  li.classList.toggle("deleted", !!message.deleted);
  renderQuote(li, message, ctx);
  renderBody(li, message);
  renderReactions(li, message, ctx);
  renderEdited(li, message);
  renderToolbar(li, actionsFor(message, ctx));
}

function renderBody(li, message) {
  const text = li.querySelector(":scope > .text");
  if (message.deleted) {
    text.textContent = DELETED_TEXT;
  } else if (text.textContent !== (message.content ?? "")) {
    renderText(text, message.content ?? "");
  }
}

// "(edited)" in the meta line, a button that shows the earlier versions.
function renderEdited(li, message) {
  const meta = li.querySelector(":scope > .meta");
  let marker = meta.querySelector(".edited");
  if (!message.editedAt || message.deleted) return marker?.remove();
  if (!marker) {
    marker = document.createElement("button");
    marker.type = "button";
    marker.className = "edited link";
    marker.dataset.action = "history";
    marker.textContent = "(edited)";
    marker.setAttribute("aria-label", "Edited, show earlier versions");
    meta.querySelector("time").after(marker);
  }
  const at = new Date(message.editedAt);
  marker.title = Number.isNaN(at.getTime()) ? "Edited" : `Edited ${at.toLocaleString()}`;
}

// Above the text: who wrote the replied message and a snippet of it, a button that goes to it;
// "a message" when it is not loaded here. A tombstone keeps no quote: nothing of it is left.
export function renderQuote(li, message, ctx) {
  const old = li.querySelector(":scope > .quote");
  if (typeof message.replyToId !== "number" || message.deleted) return old?.remove();
  const quote = quoteOf(ctx.lookup(message.replyToId), ctx);
  // Kept while it stays a button (it is redrawn whenever messages arrive): the focus stays.
  const tag = quote ? "BUTTON" : "P";
  const element = old?.tagName === tag ? old : document.createElement(tag);
  element.className = "quote";
  const arrow = document.createElement("span");
  arrow.setAttribute("aria-hidden", "true");
  arrow.textContent = "↩ ";
  const lead = document.createElement("span");
  lead.className = "visually-hidden";
  lead.textContent = "In reply to ";
  if (quote) {
    element.type = "button";
    element.dataset.action = "quote";
    element.dataset.target = String(message.replyToId);
    const who = document.createElement("span");
    who.className = "quote-author";
    who.textContent = quote.who;
    // The snippet in a bare text node: a search for the replied text finds that message only.
    element.replaceChildren(arrow, lead, who, `: ${quote.text}`);
  } else {
    element.replaceChildren(arrow, lead, "a message");
  }
  if (!old) li.querySelector(":scope > .text").before(element);
  else if (old !== element) old.replaceWith(element);
}

// Under the text: one toggle button per emoji, "👍 2", pressed when one of them is mine.
function renderReactions(li, message, ctx) {
  let group = li.querySelector(":scope > .reactions");
  const chips = message.deleted ? [] : chipsOf(message.reactions, ctx.myId);
  if (!chips.length) return group?.remove();
  if (!group) {
    group = document.createElement("div");
    group.className = "reactions";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Reactions");
    li.querySelector(":scope > .text").after(group);
  }
  const kept = new Map([...group.children].map((button) => [button.dataset.emoji, button]));
  const buttons = chips.map((chip) => {
    const button = kept.get(chip.emoji) ?? document.createElement("button");
    button.type = "button";
    button.className = "chip";
    button.dataset.action = "toggle-reaction";
    button.dataset.emoji = chip.emoji;
    button.setAttribute("aria-pressed", String(chip.mine));
    const emoji = document.createElement("span");
    emoji.className = "emoji";
    emoji.textContent = chip.emoji;
    button.replaceChildren(emoji, ` ${chip.count}`);
    button.title = chip.userIds.map((id) => (id === ctx.myId ? "you" : ctx.nameOf(id))).join(", ");
    return button;
  });
  syncChildren(group, buttons);
}

// The actions, one tab stop for the whole toolbar (arrow keys move within it, toolbarKey).
function renderToolbar(li, actions) {
  let bar = li.querySelector(":scope > .message-actions");
  if (!actions.length) return bar?.remove();
  if (!bar) {
    bar = document.createElement("div");
    bar.className = "message-actions";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Message actions");
    li.append(bar);
  }
  const kept = new Map([...bar.children].map((button) => [button.dataset.action, button]));
  const buttons = actions.map((action) => {
    let button = kept.get(action);
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "secondary small";
      button.dataset.action = action;
      button.textContent = ACTIONS[action];
      button.tabIndex = -1;
      if (action === "react") button.setAttribute("aria-expanded", "false");
    }
    return button;
  });
  syncChildren(bar, buttons);
  if (!buttons.some((b) => b.tabIndex === 0)) buttons[0].tabIndex = 0;
}

// Arrow keys, Home and End move between the buttons of a toolbar (the actions, the reaction
// palette), as the ARIA toolbar pattern has it.
export function toolbarKey(event) {
  const bar = event.target.closest?.('[role="toolbar"]');
  if (!bar) return;
  const buttons = [...bar.querySelectorAll("button")];
  const at = buttons.indexOf(event.target);
  const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1 }[event.key];
  if (at < 0 || to === undefined) return;
  event.preventDefault();
  const next = buttons[(to + buttons.length) % buttons.length];
  buttons.forEach((b) => (b.tabIndex = b === next ? 0 : -1));
  next.focus();
}

// `parent`'s children become `wanted`, in order, moving (not re-creating) those it has.
function syncChildren(parent, wanted) {
  wanted.forEach((child, i) => {
    if (parent.children[i] !== child) parent.insertBefore(child, parent.children[i] ?? null);
  });
  while (parent.children.length > wanted.length) parent.lastElementChild.remove();
}
