// What the client sends when it connects reaches the server: the auth object, query
// parameters, extra headers, and the peer's address.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { ack, Clients, startServer } from "./helpers.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(() => server?.stop());

for (const transport of ["polling", "websocket"]) {
  describe(`handshake data over ${transport}`, () => {
    let clients;
    before(() => {
      clients = new Clients(server);
    });
    after(() => clients.closeAll());

    test("auth, query, headers and address reach the server", async () => {
      const auth = { token: "abc", user: { id: 7, name: "Zoë" }, roles: ["a", "b"], flag: false };
      const socket = await clients.connect("/", {
        transports: [transport],
        auth,
        query: { e2e: "query value & more=1" },
        extraHeaders: { "X-E2E": "header value" },
      });
      const [info] = await ack(socket, "handshake");
      assert.deepEqual(info, {
        auth,
        query: "query value & more=1",
        header: "header value",
        address: "127.0.0.1",
        transport,
        // The opening request's connection headers (a WebSocket client sends upgrade,
        // connection and sec-websocket-*) are not kept for the session's lifetime.
        kept: [],
      });
    });

    test("without auth, the server sees an empty object", async () => {
      const socket = await clients.connect("/", { transports: [transport] });
      const [info] = await ack(socket, "handshake");
      assert.deepEqual(info.auth, {});
      assert.equal(info.query, null);
      assert.equal(info.header, null);
    });

    test("auth given as a function is sent too, per namespace", async () => {
      const main = await clients.connect("/", { transports: [transport], auth: (send) => send({ nsp: "main" }) });
      const custom = main.io.socket("/custom", { auth: { nsp: "custom" } });
      await new Promise((done) => custom.once("connect", done));
      const [[mainInfo], [customInfo]] = await Promise.all([ack(main, "handshake"), ack(custom, "handshake")]);
      assert.deepEqual(mainInfo.auth, { nsp: "main" });
      assert.deepEqual(customInfo.auth, { nsp: "custom" });
    });
  });
}
