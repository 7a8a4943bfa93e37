// The payload limit (a server started with --max-payload 10000): a message of exactly the
// limit is echoed; one byte more closes the connection, over polling (one HTTP body) and over
// WebSocket (one message).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { ack, Clients, serverDisconnectReason, startServer, waitFor } from "./helpers.mjs";

const maxPayload = 10_000;

let server;
before(async () => {
  server = await startServer(["--max-payload", String(maxPayload)]);
});
after(() => server?.stop());

// The text of the "echo" event whose Engine.IO packet ("4" + Socket.IO packet) is `bytes` long.
function textFor(bytes) {
  const overhead = Buffer.byteLength("42" + JSON.stringify(["echo", ""]));
  return "x".repeat(bytes - overhead);
}

// How the close reaches socket.io-client. WebSocket: the server closes the connection
// ("transport close"). Polling: the server answers the POST with 413 ("transport error") and
// closes the session, which also answers the pending GET with a close packet ("transport
// close"); the two responses travel on two connections, so either may be seen first.
const cases = [
  { transport: "polling", clientReasons: ["transport error", "transport close"] },
  { transport: "websocket", clientReasons: ["transport close"] },
];

for (const { transport, clientReasons } of cases) {
  describe(`maxPayload over ${transport}`, () => {
    let clients;
    let observer;
    before(async () => {
      clients = new Clients(server);
      observer = await clients.connect("/", { transports: ["websocket"] });
    });
    after(() => clients.closeAll());
    const options = { transports: [transport] };

    test("the handshake announces the limit", async () => {
      const socket = await clients.connect("/", options);
      assert.equal(socket.io.engine._maxPayload, maxPayload);
    });

    test("a message of exactly maxPayload bytes is echoed", async () => {
      const socket = await clients.connect("/", options);
      const text = textFor(maxPayload);
      const echoed = waitFor(socket, "echo");
      socket.emit("echo", text);
      const [reply] = await echoed;
      assert.equal(reply.length, text.length);
      assert.equal(reply, text);
      assert.equal(socket.connected, true);
    });

    test("a message one byte over maxPayload closes the connection", async () => {
      const socket = await clients.connect("/", options);
      const id = socket.id;
      const echoes = [];
      socket.on("echo", () => echoes.push(1));
      const gone = waitFor(socket, "disconnect");
      socket.emit("echo", textFor(maxPayload + 1));
      const [reason] = await gone;
      assert.ok(clientReasons.includes(reason), `disconnect reason "${reason}"`);
      assert.equal(socket.connected, false);
      // The server refused the payload: "transport error", not the client's orderly close.
      assert.equal(await serverDisconnectReason(observer, id), "transport error");
      assert.deepEqual(echoes, []);
      // The server goes on serving everyone else.
      assert.deepEqual(await ack(observer, "echo-ack", "fine"), ["fine"]);
    });
  });
}

// Over WebSocket each binary attachment is a message of its own, held to the same limit.
describe("maxPayload for binary attachments over websocket", () => {
  let clients;
  before(() => {
    clients = new Clients(server);
  });
  after(() => clients.closeAll());
  const options = { transports: ["websocket"] };

  test("an attachment of exactly maxPayload bytes is echoed", async () => {
    const socket = await clients.connect("/", options);
    const bytes = Buffer.alloc(maxPayload, 0x5a);
    const echoed = waitFor(socket, "echo");
    socket.emit("echo", bytes);
    assert.deepEqual(await echoed, [bytes]);
  });

  test("an attachment one byte over maxPayload closes the connection", async () => {
    const socket = await clients.connect("/", options);
    const gone = waitFor(socket, "disconnect");
    socket.emit("echo", Buffer.alloc(maxPayload + 1, 0x5a));
    const [reason] = await gone;
    assert.equal(reason, "transport close");
  });
});

