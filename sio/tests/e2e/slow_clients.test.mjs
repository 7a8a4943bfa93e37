// Slow and half-open clients (slowloris): a request's head must arrive whole within the header
// timeout and its body within the body timeout, however steadily the bytes trickle; a kept-alive
// connection may still wait idle between requests. And one address may hold only so many
// connections (HTTP and WebSocket alike): one more is closed at once, while other addresses,
// trusted proxies and (unless asked otherwise) loopback go on being served.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { after, before, describe, test } from "node:test";

import { nextMessage, startServer, WebSocket } from "./helpers.mjs";

const pollingHandshake = "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: test\r\n\r\n";

// A raw TCP connection from `localAddress`, with what the server sent and when it closed.
function rawConnection(server, localAddress = "127.0.0.1") {
  const socket = connect({ port: server.port, host: "127.0.0.1", localAddress });
  const connection = { socket, received: "", openedAt: Date.now() };
  socket.on("error", () => {});
  socket.on("data", (data) => {
    connection.received += data;
  });
  connection.connected = new Promise((done) => socket.once("connect", done));
  connection.closed = new Promise((done) => socket.once("close", () => done(Date.now() - connection.openedAt)));
  return connection;
}

// Writes `text` a byte every `ms`, until the connection closes.
function trickle(connection, text, ms) {
  let i = 0;
  const timer = setInterval(() => {
    if (connection.socket.destroyed) return clearInterval(timer);
    connection.socket.write(text[i % text.length]);
    i += 1;
  }, ms);
  connection.socket.once("close", () => clearInterval(timer));
}

// Resolves with the status line of the answer to a request on `connection`, or rejects.
async function answerTo(connection, request, ms = 3000) {
  const start = connection.received.length;
  connection.socket.write(request);
  const deadline = Date.now() + ms;
  while (!connection.received.slice(start).includes("\r\n\r\n")) {
    if (connection.socket.destroyed) throw new Error("closed without an answer");
    if (Date.now() > deadline) throw new Error(`no answer within ${ms} ms`);
    await delay(10);
  }
  return connection.received.slice(start).split("\r\n")[0];
}

// Closed by the server within `ms`, having answered nothing.
async function closedUnanswered(connection, ms) {
  const closedAfter = await Promise.race([connection.closed, delay(ms).then(() => null)]);
  assert.notEqual(closedAfter, null, `still open after ${ms} ms`);
  assert.equal(connection.received, "");
  return closedAfter;
}

describe("timeouts", () => {
  let server;
  before(async () => {
    server = await startServer(["--header-timeout", "1", "--body-timeout", "1"]);
  });
  after(() => server?.stop());

  test("a request head trickling a byte every 100 ms is cut off at the header timeout", async () => {
    const connection = rawConnection(server);
    await connection.connected;
    trickle(connection, "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nX-Slow: " + "a".repeat(1000), 100);
    const closedAfter = await closedUnanswered(connection, 3000);
    assert.ok(closedAfter >= 900, `closed after ${closedAfter} ms`);
  });

  test("a connection that sends nothing is closed at the header timeout", async () => {
    const connection = rawConnection(server);
    const closedAfter = await closedUnanswered(connection, 3000);
    assert.ok(closedAfter >= 900, `closed after ${closedAfter} ms`);
  });

  test("a body trickling after its head is cut off at the body timeout", async () => {
    const connection = rawConnection(server);
    await connection.connected;
    connection.socket.write("POST /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: test\r\nContent-Length: 1000\r\n\r\n");
    trickle(connection, "x", 100);
    const closedAfter = await closedUnanswered(connection, 3000);
    assert.ok(closedAfter >= 900, `closed after ${closedAfter} ms`);
  });

  test("a kept-alive connection may stay idle past the header timeout between requests", async () => {
    const connection = rawConnection(server);
    await connection.connected;
    assert.equal(await answerTo(connection, pollingHandshake), "HTTP/1.1 200 OK");
    await delay(1500); // longer than the header timeout: only the idle timeout applies now
    assert.equal(await answerTo(connection, pollingHandshake), "HTTP/1.1 200 OK");
    connection.socket.destroy();
  });
});

describe("connections per address", () => {
  const cap = 5;
  let server;
  before(async () => {
    server = await startServer([
      "--max-connections-per-address", String(cap),
      "--limit-loopback",
      "--trusted-proxy", "127.0.0.9",
    ]);
  });
  after(() => server?.stop());

  test("one connection over the cap is closed at once; other addresses are served", async (t) => {
    const held = Array.from({ length: cap }, () => rawConnection(server, "127.0.0.2"));
    t.after(() => held.forEach((c) => c.socket.destroy()));
    // Every held connection is answered before the extra one opens: the loops accept on one
    // port (SO_REUSEPORT), so a connection the client sees connected may still wait in another
    // loop's queue, and the extra one could take its place.
    for (const connection of held) assert.equal(await answerTo(connection, pollingHandshake), "HTTP/1.1 200 OK");

    const extra = rawConnection(server, "127.0.0.2");
    const closedAfter = await closedUnanswered(extra, 1000);
    t.diagnostic(`the connection over the cap was closed after ${closedAfter} ms`);

    const other = rawConnection(server, "127.0.0.3");
    t.after(() => other.socket.destroy());
    assert.equal(await answerTo(other, pollingHandshake), "HTTP/1.1 200 OK");

    // A closed connection gives its place back (once the server has seen it close).
    held.pop().socket.destroy();
    const deadline = Date.now() + 2000;
    for (;;) {
      const again = rawConnection(server, "127.0.0.2");
      t.after(() => again.socket.destroy());
      const status = await answerTo(again, pollingHandshake).catch(() => null);
      if (status !== null) {
        assert.equal(status, "HTTP/1.1 200 OK");
        break;
      }
      assert.ok(Date.now() < deadline, "the place of a closed connection was not given back");
    }
  });

  test("WebSocket connections count too", async (t) => {
    const sockets = Array.from(
      { length: cap },
      () => new WebSocket(`ws://127.0.0.1:${server.port}/engine.io/?EIO=4&transport=websocket`, { localAddress: "127.0.0.4" }),
    );
    t.after(() => sockets.forEach((ws) => ws.terminate()));
    await Promise.all(sockets.map((ws) => nextMessage(ws, "0{")));
    await closedUnanswered(rawConnection(server, "127.0.0.4"), 1000);
  });

  test("a trusted proxy is not capped", async (t) => {
    const proxied = Array.from({ length: 2 * cap }, () => rawConnection(server, "127.0.0.9"));
    t.after(() => proxied.forEach((c) => c.socket.destroy()));
    for (const connection of proxied) assert.equal(await answerTo(connection, pollingHandshake), "HTTP/1.1 200 OK");
  });
});

describe("connections per address, loopback exempt (the default)", () => {
  let server;
  before(async () => {
    server = await startServer(["--max-connections-per-address", "2"]);
  });
  after(() => server?.stop());

  test("loopback clients are not capped", async (t) => {
    const local = Array.from({ length: 6 }, () => rawConnection(server, "127.0.0.5"));
    t.after(() => local.forEach((c) => c.socket.destroy()));
    for (const connection of local) assert.equal(await answerTo(connection, pollingHandshake), "HTTP/1.1 200 OK");
  });
});
