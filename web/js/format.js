// Times and days as a person reads them, in the page's time zone and language.

const timeOnly = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dateAndTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dayOnly = new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
const shortDay = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });

export function parseTime(iso) {
  const date = iso ? new Date(iso) : new Date();
  return Number.isNaN(date.getTime()) ? null : date;
}

// "14:05" today, "12 Oct 2025, 14:05" before.
export function messageTime(date, now = new Date()) {
  return (sameDay(date, now) ? timeOnly : dateAndTime).format(date);
}

// In the conversation list: the hour today, the day before.
export function listTime(date, now = new Date()) {
  return (sameDay(date, now) ? timeOnly : shortDay).format(date);
}

export function dayKey(date) {
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

// The heading of a day in the conversation: "Today", "Yesterday", else the date.
export function dayLabel(date, now = new Date()) {
  if (sameDay(date, now)) return "Today";
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (sameDay(date, yesterday)) return "Yesterday";
  return dayOnly.format(date);
}

function sameDay(a, b) {
  return dayKey(a) === dayKey(b);
}
