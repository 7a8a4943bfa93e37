// Acknowledgements both ways: the client's acks answered by the server, the server's
// emit_with_ack answered by the client (JSON and binary), and the server's timeout when the
// client does not answer.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { ack, Clients, startServer, waitFor } from "./helpers.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(() => server?.stop());

for (const transport of ["polling", "websocket"]) {
  describe(`acknowledgements over ${transport}`, () => {
    let clients;
    before(() => {
      clients = new Clients(server);
    });
    after(() => clients.closeAll());
    const options = { transports: [transport] };

    test("client to server: the ack carries the server's reply", async () => {
      const socket = await clients.connect("/", options);
      const args = [1, "two", { three: [3, null, true] }, "ünïcødé ✓"];
      assert.deepEqual(await ack(socket, "echo-ack", ...args), args);
      // The promise form gives the first argument.
      assert.equal(await socket.timeout(5000).emitWithAck("echo-ack", "first", "second"), "first");
    });

    test("client to server: binary arguments come back in the ack", async () => {
      const socket = await clients.connect("/", options);
      const bytes = Buffer.from([0, 255, 1, 254]);
      const [text, gotBytes, object] = await ack(socket, "echo-ack", "bin", bytes, { inner: Uint8Array.of(5, 6) });
      assert.equal(text, "bin");
      assert.deepEqual(gotBytes, bytes);
      assert.deepEqual(Buffer.from(object.inner), Buffer.from([5, 6]));
    });

    test("client to server: many acks in flight are each answered once, to the right call", async () => {
      const socket = await clients.connect("/", options);
      const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => ack(socket, "echo-ack", i, `n${i}`)));
      assert.deepEqual(replies, Array.from({ length: 50 }, (_, i) => [i, `n${i}`]));
    });

    test("server to client: emit_with_ack gets the client's answer", async () => {
      const socket = await clients.connect("/", options);
      socket.on("question", (...args) => {
        const callback = args.pop();
        callback("answer", { got: args });
      });
      const result = waitFor(socket, "ask-result");
      socket.emit("ask-client", 2000, "what?", 42, { deep: [null] });
      assert.deepEqual(await result, [null, "answer", { got: ["what?", 42, { deep: [null] }] }]);
    });

    test("server to client: a binary answer reaches the server as binary", async () => {
      const socket = await clients.connect("/", options);
      socket.on("question", (bytes, callback) => callback(Buffer.concat([Buffer.from(bytes), Buffer.from([0xff])]), "text"));
      const result = waitFor(socket, "ask-result");
      socket.emit("ask-client", 2000, Buffer.from([1, 2, 3]));
      const [error, bytes, text] = await result;
      assert.equal(error, null);
      assert.deepEqual(bytes, Buffer.from([1, 2, 3, 0xff]));
      assert.equal(text, "text");
    });

    test("server to client: no answer times out on the server", async () => {
      const socket = await clients.connect("/", options);
      // No "question" handler: the client never acknowledges.
      const started = Date.now();
      const result = waitFor(socket, "ask-result");
      socket.emit("ask-client", 300, "anyone?");
      assert.deepEqual(await result, ["operation has timed out"]);
      assert.ok(Date.now() - started >= 250, `timed out after ${Date.now() - started} ms, before its 300 ms`);
    });

    test("server to client: an answer after the timeout is ignored", async () => {
      const socket = await clients.connect("/", options);
      let late;
      socket.on("question", (callback) => {
        late = callback;
      });
      const results = [];
      socket.on("ask-result", (...args) => results.push(args));
      const timedOut = waitFor(socket, "ask-result");
      socket.emit("ask-client", 100);
      await timedOut;
      late("too late");
      // The late answer was sent before this echo: once the echo is back, a wrong result
      // would have arrived too.
      await ack(socket, "echo-ack", "sync");
      assert.deepEqual(results, [["operation has timed out"]]);
      assert.equal(socket.connected, true);
    });
  });
}
