// A short line above the composer (a polite live region), gone after a while.

export class Notice {
  constructor(element) {
    this.element = element;
    this.timer = 0;
  }

  show(text, ms) {
    clearTimeout(this.timer);
    this.element.textContent = text;
    this.element.hidden = false;
    this.timer = setTimeout(() => this.hide(), ms);
  }

  hide() {
    clearTimeout(this.timer);
    this.element.hidden = true;
    this.element.textContent = "";
  }
}

export function inSeconds(ms) {
  const seconds = Math.max(1, Math.round(ms / 1000));
  return seconds === 1 ? "1 second" : `${seconds} seconds`;
}
