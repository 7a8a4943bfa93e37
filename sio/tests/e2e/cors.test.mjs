// CORS on the Engine.IO endpoint, read from the headers of real answers (a polling handshake and
// a preflight). Safe by default: any origin may read, but with "*" and never with credentials,
// so that no page can make requests carrying the user's cookies; credentials only for an origin
// of an explicit allow-list, when the server allows them.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { startServer } from "./helpers.mjs";

const handshake = "/socket.io/?EIO=4&transport=polling";

// The CORS headers of a GET handshake and of a preflight, sent from `origin` (none: undefined).
async function corsHeaders(server, origin) {
  const headers = origin ? { origin } : {};
  const get = await fetch(server.url + handshake, { headers });
  assert.equal(get.status, 200);
  await get.text();
  const preflight = await fetch(server.url + handshake, {
    method: "OPTIONS",
    headers: { ...headers, "access-control-request-method": "POST" },
  });
  assert.equal(preflight.status, 204);
  const pick = (response) => ({
    allowOrigin: response.headers.get("access-control-allow-origin"),
    allowCredentials: response.headers.get("access-control-allow-credentials"),
  });
  return { get: pick(get), preflight: pick(preflight) };
}

function assertBoth(found, expected) {
  assert.deepEqual(found.get, expected, "GET");
  assert.deepEqual(found.preflight, expected, "preflight");
}

describe("CORS with the default options", () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(() => server?.stop());

  test("any origin may read the answers, without credentials", async () => {
    assertBoth(await corsHeaders(server, "https://any.example"), { allowOrigin: "*", allowCredentials: null });
  });

  test("a request without Origin gets the same", async () => {
    assertBoth(await corsHeaders(server, undefined), { allowOrigin: "*", allowCredentials: null });
  });
});

describe("CORS with an allow-list and credentials", () => {
  let server;
  before(async () => {
    server = await startServer(["--cors-origin", "https://chat.example", "--cors-credentials"]);
  });
  after(() => server?.stop());

  test("an allowed origin is echoed, with credentials", async () => {
    const found = await corsHeaders(server, "https://chat.example");
    assertBoth(found, { allowOrigin: "https://chat.example", allowCredentials: "true" });
  });

  test("another origin gets no CORS headers", async () => {
    assertBoth(await corsHeaders(server, "https://evil.example"), { allowOrigin: null, allowCredentials: null });
  });
});

describe("CORS with an allow-list only", () => {
  let server;
  before(async () => {
    server = await startServer(["--cors-origin", "https://chat.example"]);
  });
  after(() => server?.stop());

  test("an allowed origin is echoed, without credentials", async () => {
    const found = await corsHeaders(server, "https://chat.example");
    assertBoth(found, { allowOrigin: "https://chat.example", allowCredentials: null });
  });
});
