// Out of file descriptors (EMFILE): a server under `ulimit -n 40` with 60 connections waiting
// to be accepted keeps answering the connections it already has, and waits before it tries to
// accept again instead of spinning on the pending ones (which took 155-193 % CPU).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { after, before, test } from "node:test";

import { ack, Clients, startServer } from "./helpers.mjs";

const fileLimit = 40;
const waitingConnections = 60;
const ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));

let server;
before(async () => {
  server = await startServer([], { fileLimit });
});
after(() => server?.stop());

// CPU time the process has used so far (user + system), in seconds.
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

const openDescriptors = (pid) => readdirSync(`/proc/${pid}/fd`).length;

// Resolves once `condition()` holds; rejects after `ms` (a failure bound).
async function until(condition, what, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await delay(20);
  }
}

test("at the descriptor limit the server idles and still answers its connections", async (t) => {
  const clients = new Clients(server);
  t.after(() => clients.closeAll());
  const live = await clients.connect("/", { transports: ["websocket"] });
  // Answered before the limit too. (This also lets a sanitizer build check the types on this
  // path while it still has descriptors for its own checks.)
  assert.deepEqual(await ack(live, "echo-ack", "before"), ["before"]);

  const waiting = [];
  t.after(() => waiting.forEach((socket) => socket.destroy()));
  await Promise.all(
    Array.from({ length: waitingConnections }, () => {
      const socket = connect(server.port, "127.0.0.1");
      socket.on("error", () => {});
      waiting.push(socket);
      return new Promise((done) => socket.once("connect", done));
    }),
  );
  await until(() => openDescriptors(server.pid) >= fileLimit, "the server reaching its descriptor limit");

  // One measured window in which the live connection keeps talking.
  const window = 2000;
  const cpuBefore = cpuSeconds(server.pid);
  const started = Date.now();
  let answers = 0;
  while (Date.now() - started < window) {
    assert.deepEqual(await ack(live, "echo-ack", answers), [answers]);
    answers += 1;
    await delay(50);
  }
  const cpu = (100 * (cpuSeconds(server.pid) - cpuBefore)) / ((Date.now() - started) / 1000);
  t.diagnostic(`CPU at the descriptor limit: ${cpu.toFixed(1)} % of a core; ${answers} answers in ${window} ms`);
  assert.ok(cpu < 25, `the server used ${cpu.toFixed(1)} % CPU at its descriptor limit`);
  assert.ok(answers >= 10, `only ${answers} answers`);

  // The operator is told, once.
  const reports = server.stderr.filter((line) => line.includes("cannot accept connections"));
  assert.ok(reports.length >= 1 && reports.length <= 2, `reports: ${reports.join("\n")}`); // one per loop at most
  assert.match(reports[0], /Too many open files/);

  // Once descriptors are free again, new connections are accepted.
  waiting.forEach((socket) => socket.destroy());
  const later = await clients.connect("/", { transports: ["websocket"] });
  assert.deepEqual(await ack(later, "echo-ack", "back"), ["back"]);
});
