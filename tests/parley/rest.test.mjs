// The REST API for standalone use: register, login, rate limiting of failed logins, the
// current user, the user search with online state, health and readiness; tokens from
// register and login work on the socket.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  Clients, ack, history, http, registerUser, runId, send, startParley, tokenUser, uniqueUsername, waitFor, waitForMatching,
  seedFields,
} from "./helpers.mjs";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

const claimsOf = (token) => JSON.parse(Buffer.from(token.split(".")[1], "base64url"));

// Retries `check` until it returns true; for server state that no event announces.
async function eventually(check, what, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

describe("REST", { concurrency: true }, () => {
  test("GET /healthz and GET /readyz answer 200", async () => {
    assert.equal((await http(server, "GET", "/healthz")).status, 200);
    assert.equal((await http(server, "GET", "/readyz")).status, 200);
  });

  test("HEAD of a page gives GET's headers and length, no body; API answers are not cached", async () => {
    const get = await fetch(`${server.url}/index.html`);
    await get.arrayBuffer();
    assert.equal(get.status, 200);
    assert.ok(Number(get.headers.get("content-length")) > 0);
    const head = await fetch(`${server.url}/index.html`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), get.headers.get("content-length"));
    assert.equal(head.headers.get("etag"), get.headers.get("etag"));
    assert.equal(get.headers.get("cache-control"), "no-cache");  // the page's own rule, alone
    assert.equal((await fetch(`${server.url}/healthz`)).headers.get("cache-control"), "no-store");
  });

  test("register: 201 {token, user: {id, name, username}}, the token naming the user", async () => {
    const username = uniqueUsername("reg");
    const name = `Régine ${runId} ✓`;
    const before = Math.floor(Date.now() / 1000);
    const { status, body } = await http(server, "POST", "/api/auth/register",
      { body: { username, password: "a long enough password", name } });
    assert.equal(status, 201);
    assert.deepEqual(Object.keys(body).sort(), ["token", "user"]);
    assert.match(body.user.id, UUID);
    assert.deepEqual(body.user, { id: body.user.id, name, username });
    const claims = claimsOf(body.token);
    assert.equal(JSON.parse(Buffer.from(body.token.split(".")[0], "base64url")).alg, "HS256");
    assert.equal(claims.sub, body.user.id);
    assert.equal(claims.name, name);
    assert.ok(claims.exp > before, "exp in the future");

    // Without a name, the username is the name.
    const plain = uniqueUsername("plain");
    const second = await http(server, "POST", "/api/auth/register", { body: { username: plain, password: "12345678" } });
    assert.equal(second.status, 201);
    assert.deepEqual(second.body.user, { id: second.body.user.id, name: plain, username: plain });
  });

  test("register: a username already taken is 409 (in any case)", async () => {
    const user = await registerUser(server, { label: "dup" });
    for (const username of [user.username, user.username.toUpperCase()]) {
      const { status, body } = await http(server, "POST", "/api/auth/register",
        { body: { username, password: "another password" } });
      assert.equal(status, 409, username);
      assert.equal(typeof body.error, "string");
    }
  });

  test("register: invalid usernames, passwords and bodies are 400", async () => {
    const good = { username: uniqueUsername("ok"), password: "good password" };
    const bodies = [
      { ...good, username: "ab" },
      { ...good, username: "a".repeat(33) },
      { ...good, username: "has space" },
      { ...good, username: "bad/char" },
      { ...good, username: "" },
      { ...good, username: 42 },
      { password: good.password },
      { ...good, password: "short12" },
      { ...good, password: "" },
      { ...good, password: 12345678 },
      { username: good.username },
      { ...good, name: 42 },
      { ...good, name: "   " },
      { ...good, name: "n".repeat(65) },
      [good],
      "{not json",
      "",
    ];
    for (const body of bodies) {
      const response = await http(server, "POST", "/api/auth/register", {
        body: typeof body === "string" ? body : JSON.stringify(body),
        headers: { "content-type": "application/json" },
      });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(typeof response.body?.error, "string", JSON.stringify(body));
    }
    // None of them created the user.
    assert.equal((await http(server, "POST", "/api/auth/login", { body: good })).status, 401);
  });

  test("register: a display name must show something: invisible and control characters are 400, spaces trimmed", async () => {
    const cases = {
      "\u200B\u200B\u200B": "name must have at least one visible character",
      " \u2060\u200D\uFEFF\u00AD ": "name must have at least one visible character",
      "\u3164": "name must have at least one visible character",
      "\u0301\u0301": "name must have at least one visible character",
      "Bob\nSmith": "name must not contain control characters or line breaks",
      "\u0000Bob": "name must not contain control characters or line breaks",
      "\u2003 \u3000": "name must not be empty",
      ["é".repeat(65)]: "name must be at most 64 characters",
    };
    for (const [name, message] of Object.entries(cases)) {
      const username = uniqueUsername("invis");
      const response = await http(server, "POST", "/api/auth/register", { body: { username, password: "good password", name } });
      assert.equal(response.status, 400, JSON.stringify(name));
      assert.equal(response.body.error, message, JSON.stringify(name));
      assert.equal((await http(server, "POST", "/api/auth/login", { body: { username, password: "good password" } })).status,
        401, `${JSON.stringify(name)}: no account was made`);
    }
    const kept = await http(server, "POST", "/api/auth/register",
      { body: { username: uniqueUsername("trim"), password: "good password", name: `\u3000 Zoë\u0301 ${runId}\t` } });
    assert.equal(kept.status, 201);
    assert.equal(kept.body.user.name, `Zoë\u0301 ${runId}`);
    assert.equal(claimsOf(kept.body.token).name, `Zoë\u0301 ${runId}`);
  });

  test("login: 200 {token, user}; wrong password and unknown user are 401", async () => {
    const user = await registerUser(server, { label: "login", password: "my secret words" });
    const ok = await http(server, "POST", "/api/auth/login", { body: { username: user.username, password: "my secret words" } });
    assert.equal(ok.status, 200);
    assert.deepEqual(Object.keys(ok.body).sort(), ["token", "user"]);
    assert.deepEqual(ok.body.user, { id: user.id, name: user.name, username: user.username });
    assert.equal(claimsOf(ok.body.token).sub, user.id);

    const wrong = await http(server, "POST", "/api/auth/login", { body: { username: user.username, password: "my secret word" } });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.token, undefined);
    const unknown = await http(server, "POST", "/api/auth/login",
      { body: { username: uniqueUsername("nobody"), password: "whatever it is" } });
    assert.equal(unknown.status, 401);
  });

  test("login: after 10 failures for one username, 429 even with the right password", async () => {
    const user = await registerUser(server, { label: "limited", password: "the right password" });
    for (let i = 1; i <= 10; ++i) {
      const { status } = await http(server, "POST", "/api/auth/login", { body: { username: user.username, password: `wrong ${i}` } });
      assert.equal(status, 401, `failure ${i}`);
    }
    for (const password of ["wrong 11", "the right password"]) {
      const { status, body } = await http(server, "POST", "/api/auth/login", { body: { username: user.username, password } });
      assert.equal(status, 429, password);
      assert.equal(body.token, undefined);
    }
    // Other users are not locked out.
    const other = await registerUser(server, { label: "other", password: "other password" });
    assert.equal((await http(server, "POST", "/api/auth/login",
      { body: { username: other.username, password: "other password" } })).status, 200);
  });

  test("GET /api/users/me: 200 with the token, 401 without or with a bad one", async () => {
    const user = await registerUser(server, { label: "me" });
    const me = await http(server, "GET", "/api/users/me", { token: user.token });
    assert.equal(me.status, 200);
    assert.deepEqual(me.body, { id: user.id, name: user.name, username: user.username });
    assert.equal((await http(server, "GET", "/api/users/me")).status, 401);
    assert.equal((await http(server, "GET", "/api/users/me", { token: "garbage" })).status, 401);
    assert.equal((await http(server, "GET", "/api/users/me", { headers: { authorization: user.token } })).status, 401,
      "a token without the Bearer scheme");
  });

  test("GET /api/users?search=: {id, name, online}; online as get_presence tells it (contacts only, never one who appears offline)", async () => {
    const tag = `find${runId}`;
    const [ann, ben] = await Promise.all([
      registerUser(server, { label: "ann", name: `Ann ${tag}` }),
      registerUser(server, { label: "ben", name: `Ben ${tag}` }),
    ]);
    assert.equal((await http(server, "GET", `/api/users?search=${tag}`)).status, 401, "without a token");
    const search = async (as = ann) => {
      const { status, body } = await http(server, "GET", `/api/users?search=${encodeURIComponent(tag.toUpperCase())}`,
        { token: as.token });
      assert.equal(status, 200);
      return body;
    };
    assert.deepEqual(await search(), [
      { id: ann.id, name: ann.name, online: false },
      { id: ben.id, name: ben.name, online: false },
    ]);

    // The query is URL-decoded: %20 and + are spaces.
    for (const query of [encodeURIComponent(`Ann ${tag}`), `ann+${tag}`]) {
      const { status, body } = await http(server, "GET", `/api/users?search=${query}`, { token: ben.token });
      assert.equal(status, 200);
      assert.deepEqual(body, [{ id: ann.id, name: ann.name, online: false }], query);
    }

    const socket = await clients.connect(ben.token);
    await history(socket, { otherUserId: ann.id });  // an answered event: the server has seen the connection
    // Ben sees himself online; to Ann, a stranger so far, he is not shown online.
    assert.deepEqual((await search(ben)).find((u) => u.id === ben.id), { id: ben.id, name: ben.name, online: true });
    assert.deepEqual(await search(), [
      { id: ann.id, name: ann.name, online: false },
      { id: ben.id, name: ben.name, online: false },
    ]);
    // Once they share a conversation, she sees him online.
    await send(socket, ann.id, "hello Ann");
    assert.deepEqual(await search(), [
      { id: ann.id, name: ann.name, online: false },
      { id: ben.id, name: ben.name, online: true },
    ]);
    // Appearing offline hides him from the search as from get_presence.
    assert.equal((await ack(socket, "set_presence", { appearOffline: true })).appearOffline, true);
    assert.equal((await search()).find((u) => u.id === ben.id).online, false);
    assert.equal((await ack(socket, "set_presence", { appearOffline: false })).appearOffline, false);
    assert.equal((await search()).find((u) => u.id === ben.id).online, true);

    // A user known from a token's claims is found too, once it has connected.
    const tokenOnly = tokenUser(`Cid ${tag}`);
    const cid = await clients.connect(tokenOnly.token);
    await history(cid, { otherUserId: ann.id });
    assert.deepEqual((await search()).find((u) => u.id === tokenOnly.id), { id: tokenOnly.id, name: tokenOnly.name, online: false });

    socket.disconnect();
    cid.disconnect();
    await eventually(async () => (await search()).every((u) => u.online === false), "everyone offline after disconnecting and the grace", 12000);
  });

  test("the tokens from register and login work on the socket, with the registered names", async () => {
    const [ann, ben] = await Promise.all([
      registerUser(server, { label: "sockann", name: `Ann Socket ${runId}` }),
      registerUser(server, { label: "sockben", name: `Ben Socket ${runId}` }),
    ]);
    const login = await http(server, "POST", "/api/auth/login", { body: { username: ben.username, password: ben.password } });
    const [a, b] = await Promise.all([clients.connect(ann.token), clients.connect(login.body.token)]);
    const delivered = waitForMatching(b, "receive_message", (m) => m?.content === "hi Ben");
    const { messageId } = await send(a, ben.id, "hi Ben");
    const [m] = await delivered;
    assert.deepEqual(seedFields(m), {
      id: messageId, content: "hi Ben", senderId: ann.id, senderName: ann.name, receiverId: ben.id, receiverName: ben.name,
      createdAt: m.createdAt,
    });
    const listed = waitFor(b, "messages_list");
    b.emit("get_messages", { otherUserId: ann.id });
    assert.deepEqual((await listed)[0], [m]);
  });
});
