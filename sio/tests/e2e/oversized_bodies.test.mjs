// Bodies over the limit get a clean 413 every time: the server answers, then reads and drops
// the rest of the body for a while before it closes (a lingering close), so that the client,
// still sending, is not reset before it could read the answer. Over Engine.IO polling (1.2 MB,
// over the 1.1 MB limit, each POST on a session of its own since a 413 closes it) and on a
// plain HTTP route (2 MB, with a Content-Length and chunked).
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, test } from "node:test";

import { startServer } from "./helpers.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(() => server?.stop());

// POSTs `bytes` bytes to `path` on a connection of its own, sends all of them whatever the
// server answers meanwhile (as a client does), and resolves once the server closed, with the
// status line, the Connection header and the body of its answer; rejects on a reset (EPIPE,
// ECONNRESET) at any time, even after the answer.
function post(path, bytes, { chunked = false } = {}) {
  return new Promise((done, fail) => {
    const socket = connect(server.port, "127.0.0.1");
    let received = "";
    socket.setEncoding("latin1");
    socket.on("data", (data) => (received += data));
    socket.on("error", (error) => fail(new Error(`${error.code} after ${received.length} bytes of answer`)));
    socket.on("close", (hadError) => {
      if (hadError) return;
      const [head, ...rest] = received.split("\r\n\r\n");
      const lines = head.split("\r\n");
      const connection = lines.find((line) => /^connection:/i.test(line))?.split(":")[1].trim();
      done({ status: lines[0], connection, body: rest.join("\r\n\r\n") });
    });
    const framing = chunked ? "Transfer-Encoding: chunked" : `Content-Length: ${bytes}`;
    socket.write(`POST ${path} HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\n${framing}\r\n\r\n`);
    const chunk = Buffer.alloc(64 * 1024, "x");
    for (let sent = 0; sent < bytes; sent += chunk.length) {
      const part = chunk.subarray(0, Math.min(chunk.length, bytes - sent));
      socket.write(chunked ? Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from("\r\n")]) : part);
    }
    socket.end(chunked ? "0\r\n\r\n" : undefined);
  });
}

async function pollingSession() {
  const handshake = "/engine.io/?EIO=4&transport=polling";
  const response = await fetch(server.url + handshake);
  const { sid } = JSON.parse((await response.text()).slice(1));
  return `${handshake}&sid=${sid}`;
}

test("20 polling POSTs of 1.2 MB in a row each get the 413, never a reset", async () => {
  for (let i = 0; i < 20; i++) {
    const answer = await post(await pollingSession(), 1_200_000);
    assert.deepEqual(answer, { status: "HTTP/1.1 413 Payload Too Large", connection: "close", body: "Payload Too Large" }, `POST ${i}`);
  }
});

test("a 2 MB POST to a plain HTTP route gets its 413", async () => {
  for (const chunked of [false, true]) {
    const answer = await post("/http/body", 2_000_000, { chunked });
    const expected = { status: "HTTP/1.1 413 Payload Too Large", connection: "close", body: '{"error":"body too large"}' };
    assert.deepEqual(answer, expected, `chunked: ${chunked}`);
  }
});

test("the server goes on serving after them", async () => {
  // (Its half-close ends the connection after the answer.)
  const answer = await post("/http/body", 1000);
  assert.deepEqual(answer, { status: "HTTP/1.1 200 OK", connection: undefined, body: '{"length":1000}' });
});
