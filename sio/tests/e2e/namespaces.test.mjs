// Namespaces and middlewares: the main and a custom namespace (alone and sharing one
// connection), an unknown namespace, a middleware's refusal with its message and data, an
// auth check, and a middleware that decides later on another thread.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { ack, Clients, startServer, waitFor } from "./helpers.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(() => server?.stop());

for (const transport of ["polling", "websocket"]) {
  describe(`namespaces over ${transport}`, () => {
    let clients;
    before(() => {
      clients = new Clients(server);
    });
    after(() => clients.closeAll());
    const options = { transports: [transport] };

    test("on_any gets every event without a handler of its own, with the event's name", async () => {
      const socket = await clients.connect("/any", options);
      assert.deepEqual(await socket.timeout(5000).emitWithAck("own", 1), "own handler");
      const reply = await new Promise((done) => socket.emit("some-event", 1, "two", (...args) => done(args)));
      assert.deepEqual(reply, ["some-event", 2]);
    });

    test("the main namespace accepts and echoes", async () => {
      const socket = await clients.connect("/", options);
      assert.equal(socket.nsp, "/");
      assert.deepEqual(await ack(socket, "echo-ack", "main"), ["main"]);
    });

    test("a custom namespace accepts and echoes", async () => {
      const socket = await clients.connect("/custom", options);
      assert.equal(socket.nsp, "/custom");
      const echoed = waitFor(socket, "echo");
      socket.emit("echo", "custom", Buffer.from([7]));
      assert.deepEqual(await echoed, ["custom", Buffer.from([7])]);
    });

    test("two namespaces share one connection and keep their events apart", async () => {
      const main = await clients.connect("/", options);
      const custom = main.io.socket("/custom");
      await waitFor(custom, "connect");
      assert.notEqual(custom.id, main.id);
      const mainEchoes = [];
      const customEchoes = [];
      main.on("echo", (...args) => mainEchoes.push(args));
      custom.on("echo", (...args) => customEchoes.push(args));
      main.emit("echo", "to main");
      custom.emit("echo", "to custom");
      await Promise.all([ack(main, "echo-ack"), ack(custom, "echo-ack")]);
      assert.deepEqual(mainEchoes, [["to main"]]);
      assert.deepEqual(customEchoes, [["to custom"]]);
      assert.equal(custom.io.engine, main.io.engine);
      custom.disconnect();
    });

    test("an unknown namespace gets connect_error \"Invalid namespace\"", async () => {
      const socket = clients.socket("/nope", options);
      const [err] = await waitFor(socket, "connect_error");
      assert.equal(err.message, "Invalid namespace");
      assert.equal(socket.connected, false);
    });

    test("a refusing middleware's message and data reach the client", async () => {
      const socket = clients.socket("/refuse", options);
      const [err] = await waitFor(socket, "connect_error");
      assert.ok(err instanceof Error);
      assert.equal(err.message, "not allowed");
      assert.deepEqual(err.data, { reason: "test" });
      assert.equal(socket.connected, false);
    });

    test("a refused namespace leaves the other namespaces of the connection working", async () => {
      const main = await clients.connect("/", options);
      const refused = main.io.socket("/refuse");
      const [err] = await waitFor(refused, "connect_error");
      assert.equal(err.message, "not allowed");
      assert.deepEqual(await ack(main, "echo-ack", "still here"), ["still here"]);
    });

    test("an auth-checking middleware accepts the right token", async () => {
      const socket = await clients.connect("/auth-check", { ...options, auth: { token: "secret" } });
      assert.deepEqual(await ack(socket, "echo-ack", "in"), ["in"]);
    });

    test("an auth-checking middleware refuses a wrong or missing token", async () => {
      for (const auth of [{ token: "wrong" }, {}, { token: 42 }]) {
        const socket = clients.socket("/auth-check", { ...options, auth });
        const [err] = await waitFor(socket, "connect_error");
        assert.equal(err.message, "invalid token");
        assert.equal(err.data, undefined);
      }
    });

    test("a middleware that calls next later from another thread lets the client in", async () => {
      // Several clients, so that both server loops get some.
      const sockets = await Promise.all(Array.from({ length: 6 }, () => clients.connect("/async-mw", options)));
      for (const socket of sockets) {
        // The connection went on on the socket's own loop, not on the middleware's thread.
        assert.deepEqual(await ack(socket, "connected-on-loop"), [true]);
        assert.deepEqual(await ack(socket, "echo-ack", "async"), ["async"]);
      }
    });

    test("a middleware that refuses later from another thread sends connect_error", async () => {
      const socket = clients.socket("/async-mw", { ...options, auth: { deny: "yes" } });
      const [err] = await waitFor(socket, "connect_error");
      assert.equal(err.message, "denied later");
    });
  });
}
