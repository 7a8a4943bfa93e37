// Message text with its links made clickable, without ever parsing user text as HTML: the text
// is cut into plain parts and link parts (pure), and each becomes a text node or an <a> whose
// only child is a text node. Only http(s) addresses become links.

// "https://…" or "www.…", up to white space; what follows is trimmed below.
const LINK = /\b(?:https?:\/\/|www\.)[^\s<>"]+/giu;
// Punctuation that ends a sentence rather than the address ("see https://a.b/c." ).
const TRAILING = /[.,;:!?'’”)\]}*_]+$/u;

// [{text}, {text, href}, ...] covering all of `text` in order.
export function linkParts(text) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    let shown = match[0];
    // A closing bracket that has its opening one inside the address stays (wikipedia links).
    let trail = TRAILING.exec(shown)?.[0] ?? "";
    while (trail.startsWith(")") && count(shown, "(") > count(shown.slice(0, shown.length - trail.length), ")")) {
      trail = trail.slice(1);
      if (!trail) break;
    }
    shown = shown.slice(0, shown.length - trail.length);
    const href = safeHref(shown);
    if (!href) continue;
    if (match.index > last) parts.push({ text: text.slice(last, match.index) });
    parts.push({ text: shown, href });
    last = match.index + shown.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

function count(text, char) {
  return text.split(char).length - 1;
}

// The address as an absolute http(s) URL, or null.
export function safeHref(shown) {
  try {
    const url = new URL(/^www\./i.test(shown) ? `https://${shown}` : shown);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

// Fills `element` with `text`, links as anchors that open in a new tab without giving it a
// handle on this page (noopener) nor our address (noreferrer).
export function renderText(element, text) {
  const nodes = linkParts(text).map((part) => {
    if (!part.href) return document.createTextNode(part.text);
    const a = document.createElement("a");
    a.href = part.href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.textContent = part.text;
    return a;
  });
  element.replaceChildren(...nodes);
}
