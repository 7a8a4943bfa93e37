// Connection state recovery kept by the application (server at /app-recovery/: Socket::set_session
// and emits with offsets of its own; see e2e_server.cpp). The official client is given the
// application's pid, keeps the application's offsets from the events' last argument, sends both
// back when it reconnects, and sees `socket.recovered` when the application says so; the events
// the application then sends are the ones missed, in order, once.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { ack, Clients, connected, record, startServer, waitFor } from "./helpers.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(() => server?.stop());

async function until(condition, ms = 5000) {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

for (const transport of ["polling", "websocket"]) {
  describe(`application-kept recovery over ${transport}`, () => {
    let clients;
    before(() => {
      clients = new Clients(server);
    });
    after(() => clients.closeAll());
    const options = { path: "/app-recovery/", transports: [transport] };

    test("the application's pid and offsets go round; what was missed comes once, in order", async () => {
      const [a, b] = await Promise.all([clients.connect("/", options), clients.connect("/", options)]);
      assert.equal(a.recovered, false);
      const [firstId, recovered, sentPid, sentOffset] = await ack(a, "whoami");
      assert.deepEqual([recovered, sentPid, sentOffset], [false, "", ""], "a first connection sends no pid");
      assert.equal(firstId, a.id);

      const news = record(a, "news");
      await ack(b, "publish", `before the cut (${transport})`);
      await until(() => news.seen.length === 1);
      const [[text, offset]] = news.seen;
      assert.equal(text, `before the cut (${transport})`);
      assert.match(offset, /^\d+$/, "the application's offset, as the last argument");

      const gone = waitFor(a, "disconnect");
      a.io.engine.close();
      await gone;
      await ack(b, "publish", "missed 1");
      await ack(b, "publish", "missed 2");

      const back = connected(a);
      a.connect();
      await back;
      assert.equal(a.recovered, true, "the application recovered the session");
      await until(() => news.seen.length === 3);
      assert.deepEqual(news.seen.slice(1).map(([t]) => t), ["missed 1", "missed 2"]);
      assert.deepEqual(news.seen.slice(1).map(([, o]) => Number(o)), [Number(offset) + 1, Number(offset) + 2]);
      const [, nowRecovered, pidBack, offsetBack] = await ack(a, "whoami");
      assert.equal(nowRecovered, true);
      assert.match(pidBack, /^app-\d+$/, "the client sent back the pid the application gave it");
      assert.equal(offsetBack, offset, "and the last offset it had");

      // Live again: the next entry comes once.
      await ack(b, "publish", "after");
      await until(() => news.seen.length === 4);
      assert.equal(news.seen[3][0], "after");
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(news.seen.length, 4);
    });

    test("a pid the application never gave is a new session", async () => {
      const forged = await clients.connect("/", { ...options, auth: { pid: "app-999999999", offset: "0" } });
      assert.equal(forged.recovered, false);
      const [, recovered, sentPid] = await ack(forged, "whoami");
      assert.equal(recovered, false);
      assert.equal(sentPid, "app-999999999");
    });
  });
}
