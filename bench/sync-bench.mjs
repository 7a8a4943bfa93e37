// How long catching up takes (issue 15): a user away while its 200 conversations got 5,000 new
// log entries (messages, with an edit and a reaction in every fifth conversation) reconnects and
// asks `sync` page after page until nextCursor is null. Reports the median, min and max over
// several rounds (sync only reads: each round asks the same), with the pages, entries and bytes.
//
//   node bench/sync-bench.mjs [--database-url URL] [--conversations 200] [--entries 5000] [--rounds 7]
//
// Starts its own parley (build/parley, or PARLEY_BIN) on a fresh SQLite database unless
// --database-url names one; uses the official socket.io-client from tests/parley/node_modules.
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";

import { Clients, ok, startParley, tokenUser } from "../tests/parley/helpers.mjs";

const { values } = parseArgs({
  options: {
    "database-url": { type: "string" },
    conversations: { type: "string", default: "200" },
    entries: { type: "string", default: "5000" },
    rounds: { type: "string", default: "7" },
  },
});
const conversationCount = Number(values.conversations);
const entryCount = Number(values.entries);
const rounds = Number(values.rounds);

const database = values["database-url"] ? { url: values["database-url"], dir: undefined, remove() {} } : undefined;
const server = await startParley({
  database,
  env: { SEND_RATE_PER_USER: "0", HISTORY_RATE_PER_USER: "0", HANDSHAKE_RATE: "0" },
});
const clients = new Clients(server);
try {
  const away = tokenUser("Away");
  const others = Array.from({ length: 10 }, (_, i) => tokenUser(`Other${i}`));
  const awaySocket = await clients.connect(away.token);
  const otherSockets = await Promise.all(others.map((o) => clients.connect(o.token)));

  // The conversations, and what the user had of them when it went away.
  const ids = [];
  for (let i = 0; i < conversationCount; i++) {
    const owner = otherSockets[i % others.length];
    const { conversation } = await ok(owner, "create_conversation", {
      title: `Room ${i}`, memberIds: [away.id, others[(i + 1) % others.length].id],
    });
    ids.push(conversation.id);
  }
  const known = {};
  let cursor;
  do {
    const page = await ok(awaySocket, "list_conversations", { limit: 100, ...(cursor ? { before: cursor } : {}) });
    for (const c of page.conversations) known[String(c.id)] = c.lastSeq;
    cursor = page.nextCursor;
  } while (cursor);
  awaySocket.disconnect();

  // While it is away: the entries, spread over the conversations, eight sends in flight.
  const started = performance.now();
  let made = 0;
  const work = [];
  for (let i = 0; made < entryCount; i++) {
    const c = i % conversationCount;
    const sender = otherSockets[c % others.length];
    const conversationId = ids[c];
    if (c % 5 === 0 && i >= conversationCount && i < 2 * conversationCount && made + 3 <= entryCount) {
      work.push(async () => {
        const sent = await ok(sender, "send_message", { conversationId, content: `to edit ${i}` });
        await ok(sender, "edit_message", { messageId: sent.messageId, content: `edited ${i}` });
        await ok(sender, "add_reaction", { messageId: sent.messageId, emoji: "👍" });
      });
      made += 3;
    } else {
      work.push(() => ok(sender, "send_message", { conversationId, content: `message ${i} while away` }));
      made += 1;
    }
  }
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < work.length) await work[next++]();
  }));
  const writeSeconds = (performance.now() - started) / 1000;

  // Back: connect, then sync until the last page.
  const times = [];
  let pages = 0, entries = 0, bytes = 0, limited = 0;
  for (let round = 0; round < rounds; round++) {
    const t0 = performance.now();
    const socket = await clients.connect(away.token);
    pages = entries = bytes = limited = 0;
    let before;
    for (;;) {
      const page = await ok(socket, "sync", { conversations: known, ...(before ? { before } : {}) });
      pages += 1;
      bytes += JSON.stringify(page).length;
      for (const c of page.conversations) {
        entries += c.events.filter((e) => e.type !== "conversation_updated").length;
        if (c.limited) limited += 1;
      }
      if (!page.nextCursor) break;
      before = page.nextCursor;
    }
    times.push(performance.now() - t0);
    socket.disconnect();
  }
  if (entries !== entryCount) throw new Error(`sync brought ${entries} entries, ${entryCount} were made`);
  times.sort((a, b) => a - b);
  const ms = (x) => `${x.toFixed(0)} ms`;
  console.log(`store: ${server.database.url.split(":")[0]}; ${conversationCount} conversations, ${entries} entries missed ` +
    `(written in ${writeSeconds.toFixed(1)} s)`);
  console.log(`catching up (connect + every sync page), ${rounds} rounds: median ${ms(times[times.length >> 1])}, ` +
    `min ${ms(times[0])}, max ${ms(times[times.length - 1])}; ${pages} pages, ${(bytes / 1e6).toFixed(2)} MB of JSON, ` +
    `${limited} conversations limited`);
} finally {
  clients.closeAll();
  await server.stop();
}
