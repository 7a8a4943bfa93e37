// How a WebSocket client's close frame ends its session, with a raw WebSocket client (the `ws`
// package that engine.io-client uses) so that the close code is ours to choose: 1000 (normal)
// and 1001 (going away: a browser tab closing) are both the client's orderly end, "transport
// close", not "transport error".
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { Clients, connectRawWebSocket, serverDisconnectReason, startServer, waitFor } from "./helpers.mjs";

let server;
let clients;
let observer;
before(async () => {
  server = await startServer();
  clients = new Clients(server);
  observer = await clients.connect("/", { transports: ["websocket"] });
});
after(async () => {
  clients?.closeAll();
  await server?.stop();
});

for (const code of [1000, 1001]) {
  test(`a close frame with code ${code} ends the session with "transport close"`, async () => {
    const { ws, id } = await connectRawWebSocket(server);
    const closed = waitFor(ws, "close");
    ws.close(code);
    const [answered] = await closed;
    assert.equal(answered, code, "the server answers with the client's code");
    assert.equal(await serverDisconnectReason(observer, id), "transport close");
  });
}

test("a broken frame is still the client's error", async () => {
  const { ws, id } = await connectRawWebSocket(server);
  const closed = waitFor(ws, "close");
  ws._socket.write(Buffer.from([0x83, 0x80, 0, 0, 0, 0])); // opcode 3 is reserved
  const [answered] = await closed;
  assert.equal(answered, 1002);
  assert.equal(await serverDisconnectReason(observer, id), "transport error");
});
