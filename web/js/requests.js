// Requests over the socket: an event with its ack as a promise, a bound on the wait, and the
// server's RATE_LIMITED answer honoured (tried again after the wait it names).

export const ACK_TIMEOUT_MS = 10000;

export class NoAnswer extends Error {
  constructor() {
    super("no answer from the server");
  }
}

// How long a RATE_LIMITED answer asks to wait (at least a little, at most a minute).
export function retryDelay(ack) {
  const ms = Number(ack?.retryAfterMs);
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 50), 60000) : 1000;
}

// Resolves with the ack (a failure ack too); rejects with NoAnswer. `retries`: how often a
// RATE_LIMITED answer is tried again before it is returned.
export function request(socket, event, payload, { retries = 3, timeout = ACK_TIMEOUT_MS } = {}) {
  return new Promise((resolve, reject) => {
    if (!socket) return reject(new NoAnswer());
    socket.timeout(timeout).emit(event, payload, (error, ack) => {
      if (error) return reject(new NoAnswer());
      if (ack?.code === "RATE_LIMITED" && retries > 0) {
        setTimeout(() => request(socket, event, payload, { retries: retries - 1, timeout }).then(resolve, reject),
          retryDelay(ack));
        return;
      }
      resolve(ack ?? { success: false, error: "empty answer" });
    });
  });
}

// get_messages: its page comes as messages_list just before the ack, on this socket, so one is
// asked at a time. Resolves {messages, hasMore}; rejects on a failure.
export class HistoryReader {
  constructor() {
    this.queue = Promise.resolve();
  }

  page(socket, query) {
    const run = () => new Promise((resolve, reject) => {
      if (!socket) return reject(new NoAnswer());
      let list = [];
      const onList = (messages) => (list = Array.isArray(messages) ? messages : []);
      socket.on("messages_list", onList);
      request(socket, "get_messages", query, { retries: 5 }).then((ack) => {
        socket.off("messages_list", onList);
        if (!ack.success) return reject(new Error(ack.error || "Could not load messages"));
        resolve({ messages: list, hasMore: !!ack.hasMore });
      }, (error) => {
        socket.off("messages_list", onList);
        reject(error);
      });
    });
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => {});
    return result;
  }
}
