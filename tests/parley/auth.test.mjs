// Tokens as the seed's clients send them (auth object, with or without "Bearer ", or the
// Authorization header; polling only and WebSocket only), bad tokens refused the seed's way
// (connect, error "Unauthorized", disconnect; nothing processed) or with CONNECT_ERROR when so
// configured. (A token that expires during the connection: expiry.test.mjs.)
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  Clients, SECRET, ack, history, http, mintToken, record, runId, send, startParley, tokenUser, waitFor,
  waitForMatching, withTimeout,
} from "./helpers.mjs";

const nowSeconds = () => Math.floor(Date.now() / 1000);
const TRANSPORTS = ["polling", "websocket"];

// Tokens that must be refused; `sub` is a real user's id, so that anything processed would show.
function badTokens(sub) {
  const claims = { sub, name: "Mallory", iat: nowSeconds(), exp: nowSeconds() + 3600 };
  const valid = mintToken(claims);
  const [head, body] = valid.split(".");
  return {
    "no token": { auth: undefined },
    "an empty token": { auth: { token: "" } },
    "a token that is not a string": { auth: { token: { sub } } },
    "garbage": { auth: { token: "garbage" } },
    "three dots of garbage": { auth: { token: "not.a.jwt" } },
    "a forged signature": { auth: { token: mintToken(claims, { secret: `${SECRET}-not` }) } },
    "a payload changed after signing": {
      auth: { token: `${head}.${Buffer.from(JSON.stringify({ ...claims, name: "Admin" })).toString("base64url")}.${valid.split(".")[2]}` },
    },
    "alg none": { auth: { token: mintToken(claims, { alg: "none" }) } },
    "alg none with the HS256 signature kept": {
      auth: { token: `${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${body}.${valid.split(".")[2]}` },
    },
    "HS512 with the right secret": { auth: { token: mintToken(claims, { alg: "HS512" }) } },
    "HS384 with the right secret": { auth: { token: mintToken(claims, { alg: "HS384" }) } },
    "an expired exp": { auth: { token: mintToken({ ...claims, exp: nowSeconds() - 10 }) } },
    "a future nbf": { auth: { token: mintToken({ ...claims, nbf: nowSeconds() + 3600 }) } },
    "no sub": { auth: { token: mintToken({ name: "Nobody", exp: nowSeconds() + 3600 }) } },
    "a sub that is a fraction": { auth: { token: mintToken({ ...claims, sub: 4.5 }) } },
    "a sub of 129 characters": { auth: { token: mintToken({ ...claims, sub: "x".repeat(129) }) } },
    "a sub with a control character": { auth: { token: mintToken({ ...claims, sub: "bad\nid" }) } },
    "no exp": { auth: { token: mintToken({ sub, name: "Forever", iat: nowSeconds() }) } },
    "a forged token in the header": { extraHeaders: { authorization: `Bearer ${mintToken(claims, { secret: "x" })}` } },
    "Basic credentials in the header": { extraHeaders: { authorization: "Basic dXNlcjpwYXNz" } },
  };
}

// Everything the client sees from connecting with `options` until the server disconnects it;
// on `connect` the client at once sends a message to `receiverId` with an ack.
async function refusedTheSeedsWay(clients, options, receiverId) {
  const socket = clients.socket(undefined, options);
  const events = [];
  let acked = null;
  socket.on("connect", () => {
    events.push(["connect"]);
    socket.emit("send_message", { receiverId, content: "sent by an intruder" }, (reply) => {
      acked = reply;
    });
  });
  socket.on("error", (payload) => events.push(["error", payload]));
  socket.on("connect_error", (err) => events.push(["connect_error", err.message]));
  const [reason] = await waitFor(socket, "disconnect");
  events.push(["disconnect", reason]);
  return { events, acked };
}

describe("by default", { concurrency: true }, () => {
  let server;
  let clients;
  before(async () => {
    server = await startParley();
    clients = new Clients(server);
  });
  after(async () => {
    clients?.closeAll();
    await server?.stop();
  });

  for (const transport of TRANSPORTS) {
    test(`a valid token is accepted over ${transport} only: in auth, in auth with "Bearer ", in the Authorization header`, async () => {
      const bob = tokenUser("Bob");
      const b = await clients.connect(bob.token);
      const ways = {
        "auth {token}": (t) => ({ auth: { token: t } }),
        "auth {token: Bearer ...}": (t) => ({ auth: { token: `Bearer ${t}` } }),
        "Authorization: Bearer ...": (t) => ({ extraHeaders: { authorization: `Bearer ${t}` } }),
        "authorization: bearer ... (any case)": (t) => ({ extraHeaders: { Authorization: `bearer ${t}` } }),
      };
      for (const [way, options] of Object.entries(ways)) {
        const user = tokenUser(`Via ${way}`);
        const socket = clients.socket(undefined, { transports: [transport], ...options(user.token) });
        await waitFor(socket, "connect");
        assert.equal(socket.io.engine.transport.name, transport);
        const content = `over ${transport} with ${way}`;
        const delivered = waitForMatching(b, "receive_message", (m) => m?.content === content);
        const { messageId } = await send(socket, bob.id, content);
        const [m] = await delivered;
        assert.deepEqual(
          { id: m.id, senderId: m.senderId, senderName: m.senderName, receiverId: m.receiverId },
          { id: messageId, senderId: user.id, senderName: user.name, receiverId: bob.id }, way);
        assert.equal(socket.connected, true, way);
      }
    });

    test(`bad tokens over ${transport}: connect, error {message: "Unauthorized"}, disconnect "io server disconnect"; nothing processed`, async () => {
      const alice = tokenUser("Alice");
      const bob = tokenUser("Bob");
      const [a, b] = await Promise.all([clients.connect(alice.token), clients.connect(bob.token)]);
      const bobReceived = record(b, "receive_message").seen;
      for (const [name, options] of Object.entries(badTokens(alice.id))) {
        const { events, acked } = await refusedTheSeedsWay(clients, { transports: [transport], ...options }, bob.id);
        assert.deepEqual(events, [
          ["connect"],
          ["error", { message: "Unauthorized", code: "UNAUTHORIZED" }],
          ["disconnect", "io server disconnect"],
        ], name);
        assert.equal(acked, null, `${name}: the event sent after connecting was answered`);
      }
      // A message sent now by the real Alice reaches Bob after anything sent before it.
      const marker = waitForMatching(b, "receive_message", (m) => m?.content === "the real Alice");
      await send(a, bob.id, "the real Alice");
      await marker;
      assert.deepEqual(bobReceived.map((m) => m.content), ["the real Alice"]);
      assert.deepEqual((await history(b, { otherUserId: alice.id })).list.map((m) => m.content), ["the real Alice"]);
    });
  }
});

describe("user ids of other applications", { concurrency: true }, () => {
  let server;
  let clients;
  before(async () => {
    server = await startParley();
    clients = new Clients(server);
  });
  after(async () => {
    clients?.closeAll();
    await server?.stop();
  });

  test("a token whose sub is an integer (42) connects as that user (\"42\"); any short string id connects as it is", async () => {
    const reader = tokenUser("Reader");
    const r = await clients.connect(reader.token);
    // Ids unique to this run: the PostgreSQL suite shares one database between test files.
    const number = Number.parseInt(runId, 16);
    for (const [sub, id] of [[number, String(number)], [`auth0|${runId}`, `auth0|${runId}`], [`User-ABC-${runId}`, `User-ABC-${runId}`]]) {
      const token = mintToken({ sub, name: `App user ${id}`, iat: nowSeconds(), exp: nowSeconds() + 3600 });
      const socket = clients.socket(undefined, { auth: { token } });
      const events = [];
      socket.on("error", (payload) => events.push(payload));
      await waitFor(socket, "connect");
      // An answered event: the server has authenticated the socket and kept it.
      const { list } = await history(socket, { otherUserId: reader.id });
      assert.deepEqual(list, [], String(sub));
      assert.deepEqual(events, [], `${sub}: an error event`);
      assert.equal(socket.connected, true, String(sub));
      // The user exists under that id, with the token's name.
      const { body } = await http(server, "GET", "/api/users/me", { token });
      assert.deepEqual(body, { id, name: `App user ${id}`, username: "" }, String(sub));
    }
    assert.equal(r.connected, true);
  });
});

describe("with --allow-tokens-without-exp", () => {
  let server;
  let clients;
  before(async () => {
    server = await startParley({ args: ["--allow-tokens-without-exp"] });
    clients = new Clients(server);
  });
  after(async () => {
    clients?.closeAll();
    await server?.stop();
  });

  test("a token without exp connects and works; an expired one is still refused", async () => {
    const reader = tokenUser("Reader");
    const forever = mintToken({ sub: reader.id, name: reader.name, iat: nowSeconds() });
    const socket = await clients.connect(forever);
    assert.deepEqual((await history(socket, { otherUserId: tokenUser().id })).list, []);
    const expired = clients.socket(undefined, { auth: { token: mintToken({ sub: reader.id, exp: nowSeconds() - 10 }) } });
    const errored = waitFor(expired, "error");
    await waitFor(expired, "connect");
    assert.deepEqual((await errored)[0], { message: "Unauthorized", code: "UNAUTHORIZED" });
  });
});

describe("with --reject-with-connect-error", { concurrency: true }, () => {
  let server;
  let clients;
  before(async () => {
    server = await startParley({ args: ["--reject-with-connect-error"] });
    clients = new Clients(server);
  });
  after(async () => {
    clients?.closeAll();
    await server?.stop();
  });

  for (const transport of TRANSPORTS) {
    test(`bad tokens over ${transport}: connect_error "Unauthorized", never connect`, async () => {
      const alice = tokenUser("Alice");
      const bob = tokenUser("Bob");
      const [a, b] = await Promise.all([clients.connect(alice.token), clients.connect(bob.token)]);
      for (const [name, options] of Object.entries(badTokens(alice.id))) {
        const socket = clients.socket(undefined, { transports: [transport], ...options });
        const events = record(socket, "connect").seen;
        const [err] = await withTimeout(waitFor(socket, "connect_error"), 5000, `${name}: no connect_error`);
        assert.equal(err.message, "Unauthorized", name);
        assert.equal(events.length, 0, `${name}: connected`);
        assert.equal(socket.connected, false, name);
        socket.disconnect();
      }
      // Valid tokens still connect and talk.
      const delivered = waitForMatching(b, "receive_message", (m) => m?.content === "hello");
      await send(a, bob.id, "hello");
      await delivered;
    });
  }
});
