// Who is online, as this client knows it: the get_presence answers and the presence pushes
// (docs/api.md "Live signals"), per user, and the line a direct conversation's header shows
// for it ("online", "last seen 5 min ago"). Pure: no page, no socket (tested in Node).

export const MAX_ASKED = 200; // get_presence takes 1 to 200 ids

export class PresenceBook {
  constructor() {
    this.byId = new Map(); // userId -> {online, lastSeenAt, pushedAt}
    this.clock = 0; // orders the asks and the pushes as they happen here
  }

  // Called as a get_presence is sent: its answer is applied with the mark this returns.
  asking() {
    return ++this.clock;
  }

  // A presence push: the newest word on that user. True when what is shown may change.
  onPush(payload) {
    const state = stateOf(payload);
    if (!state) return false;
    return this.set(payload.userId, { ...state, pushedAt: ++this.clock });
  }

  // The answer to the get_presence sent at `mark`. The server computes an answer and a push
  // independently, so a push that arrives while the question is out may be older or newer than
  // the answer; the push is kept. Keeping it converges: were the answer the newer one, the
  // change it saw is pushed as well, and that push arrives later. Keeping the answer could show
  // a state that no later push corrects. True when anything shown may change.
  onAnswer(mark, presence) {
    let changed = false;
    for (const item of Array.isArray(presence) ? presence : []) {
      const state = stateOf(item);
      if (!state) continue;
      const known = this.byId.get(item.userId);
      if (known && known.pushedAt > mark) continue;
      changed = this.set(item.userId, { ...state, pushedAt: known?.pushedAt ?? 0 }) || changed;
    }
    return changed;
  }

  set(userId, entry) {
    const known = this.byId.get(userId);
    this.byId.set(userId, entry);
    return !known || known.online !== entry.online || known.lastSeenAt !== entry.lastSeenAt;
  }

  // {online, lastSeenAt} or undefined when nothing is known of that user.
  get(userId) {
    const entry = this.byId.get(userId);
    return entry ? { online: entry.online, lastSeenAt: entry.lastSeenAt } : undefined;
  }

  isOnline(userId) {
    return this.byId.get(userId)?.online === true;
  }

  clear() {
    this.byId.clear();
  }
}

function stateOf(item) {
  if (!item || typeof item.userId !== "string" || typeof item.online !== "boolean") return null;
  const lastSeenAt = typeof item.lastSeenAt === "string" && !item.online ? item.lastSeenAt : null;
  return { online: item.online, lastSeenAt };
}

// The distinct ids of `ids`, in groups that one get_presence each can ask.
export function batches(ids, size = MAX_ASKED) {
  const distinct = [...new Set(ids)];
  const groups = [];
  for (let i = 0; i < distinct.length; i += size) groups.push(distinct.slice(i, i + size));
  return groups;
}

const formats = new Map(); // locale -> {time, date}
function formatsFor(locale) {
  const key = locale ?? "";
  if (!formats.has(key)) {
    formats.set(key, {
      time: new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit" }),
      date: new Intl.DateTimeFormat(locale, { dateStyle: "medium" }),
    });
  }
  return formats.get(key);
}

// What a header says of someone: "online"; "last seen just now", "… 5 min ago", "… today at
// 14:05", "… yesterday at 23:10", "… on 12 Oct 2025"; "" when never seen, hidden or unknown.
// Lower case, as a line under a name reads in the chat apps people know.
// `now` and `locale` (the page's language when undefined) make it testable.
export function presenceText(state, now = new Date(), locale = undefined) {
  if (!state) return "";
  if (state.online) return "online";
  const seen = state.lastSeenAt ? new Date(state.lastSeenAt) : null;
  if (!seen || Number.isNaN(seen.getTime())) return "";
  const minutes = Math.floor((now.getTime() - seen.getTime()) / 60000);
  if (minutes < 1) return "last seen just now"; // a clock a little behind the server's too
  if (minutes < 60) return `last seen ${minutes} min ago`;
  const { time, date } = formatsFor(locale);
  if (sameDay(seen, now)) return `last seen today at ${time.format(seen)}`;
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (sameDay(seen, yesterday)) return `last seen yesterday at ${time.format(seen)}`;
  return `last seen on ${date.format(seen)}`;
}

function sameDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}
