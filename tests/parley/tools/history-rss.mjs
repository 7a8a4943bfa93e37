// Measures what one polling POST of many get_messages costs the server in memory: a
// conversation of MESSAGES messages, then one raw Engine.IO polling POST carrying REQUESTS
// `42["get_messages",{otherUserId}]` packets (joined by the record separator, no limit, no ack,
// as the seed's clients ask), left unread for POLL_AFTER_MS (2000) and then drained by polling. Prints the server's RSS before, its peak while
// answering (sampled from /proc every 10 ms) and the answers that came back.
//
//   PARLEY_BIN=build/parley node tests/parley/tools/history-rss.mjs [MESSAGES] [REQUESTS] [parley args...]
import { readFileSync } from "node:fs";

import { Clients, send, startParley, tokenUser } from "../helpers.mjs";

const [messages = 3000, requests = 40] = process.argv.slice(2, 4).map(Number);
const extraArgs = process.argv.slice(4);

const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]);

const server = await startParley({ args: extraArgs });
const clients = new Clients(server);
try {
  const alice = tokenUser("Alice");
  const bob = tokenUser("Bob");
  const [a] = await Promise.all([clients.connect(alice.token, { transports: ["websocket"] }), clients.connect(bob.token)]);
  // Fill the conversation, 100 sends in flight at a time.
  let next = 0;
  const worker = async () => {
    while (next < messages) {
      const i = next++;
      await send(a, bob.id, `message ${i} ${"x".repeat(100)}`);
    }
  };
  await Promise.all(Array.from({ length: 100 }, worker));

  const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
  const open = await (await fetch(base)).text();
  const { sid } = JSON.parse(open.slice(1));
  const url = `${base}&sid=${sid}`;
  await fetch(url, { method: "POST", body: `40${JSON.stringify({ token: alice.token })}` });
  const connectAnswer = await (await fetch(url)).text();
  if (!connectAnswer.startsWith("40")) throw new Error(`CONNECT answered ${connectAnswer}`);

  const pid = server.child.pid;
  const before = rssKiB(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssKiB(pid))), 10);
  const body = Array.from({ length: requests }, () => `42${JSON.stringify(["get_messages", { otherUserId: bob.id }])}`).join("\x1e");
  const started = Date.now();
  await fetch(url, { method: "POST", body });
  // An attacker need not read: what the server holds for it before any poll.
  await new Promise((done) => setTimeout(done, Number(process.env.POLL_AFTER_MS ?? 2000)));
  let lists = 0, errors = 0, listed = 0, bytes = 0;
  while (lists + errors < requests && Date.now() - started < 60000) {
    const text = await (await fetch(url)).text();
    bytes += text.length;
    for (const packet of text.split("\x1e")) {
      if (packet.startsWith('42["messages_list"')) {
        lists++;
        listed += JSON.parse(packet.slice(2))[1].length;
      } else if (packet.startsWith('42["error"')) {
        errors++;
      }
    }
  }
  clearInterval(sampler);
  peak = Math.max(peak, rssKiB(pid));
  console.log(JSON.stringify({
    messages, requests, rss_before_mib: +(before / 1024).toFixed(1), rss_peak_mib: +(peak / 1024).toFixed(1),
    messages_lists: lists, messages_listed: listed, error_events: errors, polled_mib: +(bytes / 2 ** 20).toFixed(1),
    seconds: (Date.now() - started) / 1000,
  }));
} finally {
  clients.closeAll();
  await server.stop();
}
