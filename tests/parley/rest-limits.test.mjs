// The REST API's limits, per client address: behind a trusted proxy each client is its own
// address (X-Forwarded-For); failed logins are counted when they start, per address, per
// address and username, and per username from unknown addresses only (the owner's own address
// is never locked out by others); registrations and requests to /api/ have token buckets;
// rate-limited answers are 429 with RATE_LIMITED, retryAfterMs and Retry-After; oversized
// bodies are 413 with a JSON error; an unknown username takes as long to refuse as a wrong
// password.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { http, registerUser, startParley, uniqueUsername } from "./helpers.mjs";

// Requests as if from `address` behind the proxy the server trusts (127.0.0.1).
const from = (address) => ({ "x-forwarded-for": address });
let addressCounter = 0;
const newAddress = () => `198.51.${100 + (addressCounter >> 8)}.${addressCounter++ & 255}`;

const login = (server, username, password, address) =>
  http(server, "POST", "/api/auth/login", { body: { username, password }, headers: from(address) });

function assertRateLimited(response, what) {
  assert.equal(response.status, 429, what);
  assert.equal(response.body.code, "RATE_LIMITED", what);
  assert.equal(typeof response.body.error, "string", what);
  assert.ok(Number.isInteger(response.body.retryAfterMs) && response.body.retryAfterMs > 0, what);
  assert.equal(response.headers.get("retry-after"), String(Math.ceil(response.body.retryAfterMs / 1000)), what);
  assert.equal(response.body.token, undefined, what);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// Small login limits keep the argon2id work (~0.1 s a check) within a shared machine's means:
// 12 failures per address, 4 per address and username, per 15 minutes. One test at a time, so
// that the timing test measures hashing, not the other tests.
describe("behind a trusted proxy, with small login limits", () => {
  let server;
  before(async () => {
    server = await startParley({
      args: ["--trusted-proxies", "127.0.0.1", "--login-failures-per-address", "12/15m",
        "--login-failures-per-account", "4/15m"],
    });
  });
  after(async () => {
    await server?.stop();
  });

  test("a client's failed logins do not lock out the other clients of the same proxy", async () => {
    const user = await registerUser(server, { label: "proxied", password: "the right password" });
    const attacker = newAddress();
    const failures = await Promise.all(Array.from({ length: 12 }, (_, i) =>
      login(server, uniqueUsername("guess"), `wrong ${i}`, attacker)));
    assert.deepEqual(new Set(failures.map((r) => r.status)), new Set([401]));
    assertRateLimited(await login(server, user.username, "the right password", attacker), "the guessing client");
    // Everyone else behind the proxy logs in.
    assert.equal((await login(server, user.username, "the right password", newAddress())).status, 200);
  });

  test("150 parallel logins for one account from one address: 4 get their password checked, the rest 429", async () => {
    const user = await registerUser(server, { label: "parallel", password: "the right password" });
    const address = newAddress();
    const answers = await Promise.all(Array.from({ length: 150 }, (_, i) =>
      login(server, user.username, `wrong ${i}`, address)));
    const statuses = answers.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 401).length, 4, JSON.stringify(statuses));
    assert.equal(statuses.filter((s) => s === 429).length, 146);
    assertRateLimited(answers.find((r) => r.status === 429), "a refused login");
    // One failure comes back every 225 s (4 per 15 minutes).
    const retry = answers.find((r) => r.status === 429).body.retryAfterMs;
    assert.ok(retry > 200_000 && retry <= 225_000, `retryAfterMs ${retry}`);
  });

  test("others failing to log in as a user never lock its owner out of its own address", async () => {
    const owner = await registerUser(server, { label: "owner", password: "owner's password" });
    const home = newAddress();
    assert.equal((await login(server, owner.username, "owner's password", home)).status, 200);
    // From one other address: that address is refused after 4, the owner's is not.
    const other = newAddress();
    for (let i = 0; i < 4; ++i) assert.equal((await login(server, owner.username, `guess ${i}`, other)).status, 401);
    assertRateLimited(await login(server, owner.username, "owner's password", other), "the guessing address");
    assert.equal((await login(server, owner.username, "owner's password", home)).status, 200);
    // A typo of the owner's own does not count against it once it logs in.
    assert.equal((await login(server, owner.username, "owner's pasword", home)).status, 401);
    assert.equal((await login(server, owner.username, "owner's password", home)).status, 200);
  });

  test("an unknown username is refused in the time a wrong password takes (median of 11 each)", async () => {
    const user = await registerUser(server, { label: "timing", password: "the right password" });
    const known = [];
    const unknown = [];
    for (let i = 0; i < 11; ++i) {
      // A fresh address per attempt keeps the throttle out of the measurement.
      let t = performance.now();
      assert.equal((await login(server, user.username, "a wrong password", newAddress())).status, 401);
      known.push(performance.now() - t);
      t = performance.now();
      assert.equal((await login(server, uniqueUsername("nobody"), "a wrong password", newAddress())).status, 401);
      unknown.push(performance.now() - t);
    }
    // Both check an argon2id hash (tens of ms); without the dummy hash, an unknown username was
    // refused ~50 times faster. The machine is shared: only a gross difference fails.
    const ratio = median(unknown) / median(known);
    assert.ok(ratio > 0.4 && ratio < 2.5,
      `known ${median(known).toFixed(1)} ms, unknown ${median(unknown).toFixed(1)} ms`);
  });

  test("a login or registration body over 16 KiB is 413 with a JSON error; the transport's limit too", async () => {
    const big = { username: uniqueUsername("big"), password: "x".repeat(17 * 1024) };
    for (const path of ["/api/auth/login", "/api/auth/register"]) {
      const response = await http(server, "POST", path, { body: big, headers: from(newAddress()) });
      assert.equal(response.status, 413, path);
      assert.equal(response.body.code, "TOO_LARGE", path);
      assert.match(response.body.error, /16384 bytes/, path);
    }
    // Over the HTTP server's own limit (~1 MB): the body is not even read, and still a JSON answer.
    for (let i = 0; i < 3; ++i) {
      const response = await http(server, "POST", "/api/auth/register",
        { body: { username: "huge", password: "x".repeat(2 * 1024 * 1024) }, headers: from(newAddress()) });
      assert.equal(response.status, 413, `attempt ${i}`);
      assert.equal(response.body.code, "TOO_LARGE", `attempt ${i}`);
    }
  });
});

describe("with a small registration limit and a small API rate", { concurrency: true }, () => {
  let server;
  before(async () => {
    server = await startParley({
      args: ["--trusted-proxies", "127.0.0.1", "--register-rate", "3/1h", "--api-rate", "20/1m",
        "--login-failures-per-username", "5/1h"],
    });
  });
  after(async () => {
    await server?.stop();
  });

  test("registrations: 3 per address, then 429; invalid requests do not count; other addresses go on", async () => {
    const address = newAddress();
    const register = (username, password = "a good password") =>
      http(server, "POST", "/api/auth/register", { body: { username, password }, headers: from(address) });
    assert.equal((await register(uniqueUsername("r"), "short")).status, 400);  // not counted
    for (let i = 0; i < 3; ++i) assert.equal((await register(uniqueUsername("r"))).status, 201, `registration ${i}`);
    const refused = await register(uniqueUsername("r"));
    assertRateLimited(refused, "the fourth registration");
    assert.ok(refused.body.retryAfterMs > 1_100_000, `retryAfterMs ${refused.body.retryAfterMs}`);  // ~20 minutes
    const elsewhere = await http(server, "POST", "/api/auth/register",
      { body: { username: uniqueUsername("r"), password: "a good password" }, headers: from(newAddress()) });
    assert.equal(elsewhere.status, 201);
  });

  test("requests to /api/: 20 per address, then 429 on every route; /healthz is not limited", async () => {
    const address = newAddress();
    const answers = await Promise.all(Array.from({ length: 25 }, () =>
      http(server, "GET", "/api/users/me", { headers: from(address) })));
    assert.equal(answers.filter((r) => r.status === 401).length, 20);
    assertRateLimited(answers.find((r) => r.status === 429), "the 21st request");
    assertRateLimited(await login(server, "someone", "some password", address), "a login after that");
    assert.equal((await http(server, "GET", "/healthz", { headers: from(address) })).status, 200);
    assert.equal((await http(server, "GET", "/api/users/me", { headers: from(newAddress()) })).status, 401);
  });

  test("a guesser spread over many addresses: only unknown addresses are refused, the owner's still gets in", async () => {
    const owner = await registerUser(server, { label: "spread", password: "owner's password" });
    const home = newAddress();
    assert.equal((await login(server, owner.username, "owner's password", home)).status, 200);
    const statuses = [];
    for (let i = 0; i < 8; ++i) statuses.push((await login(server, owner.username, `guess ${i}`, newAddress())).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);  // 5 per hour for the username
    assert.equal((await login(server, owner.username, "owner's password", home)).status, 200);
    assertRateLimited(await login(server, owner.username, "owner's password", newAddress()), "a new address");
  });
});
