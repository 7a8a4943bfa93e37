// Started with no JWT_SECRET, parley makes one: a random secret in parley.secret beside the
// database, readable by its owner only, kept across restarts (tokens stay valid), and said in
// the log.
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { Clients, freshDatabase, mintToken, sharedDatabaseUrl, startParley } from "./helpers.mjs";
import { randomUUID } from "node:crypto";

test("no JWT_SECRET: a secret is created once (mode 0600) and used across restarts",
  { skip: sharedDatabaseUrl ? "the secret file lives beside a SQLite database" : false }, async () => {
  const database = freshDatabase();
  try {
    const first = await startParley({ database, env: { JWT_SECRET: "" } });
    const file = join(database.dir, "parley.secret");
    const secret = readFileSync(file, "utf8").trim();
    assert.ok(secret.length >= 43, "at least 256 bits, base64url");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(first.log.some((line) => line.includes("created a random secret")), first.log.join("\n"));
    await first.stop();

    const second = await startParley({ database, env: { JWT_SECRET: "" } });
    try {
      assert.equal(readFileSync(file, "utf8").trim(), secret, "the same secret after a restart");
      const token = mintToken({ sub: randomUUID(), name: "Kept", exp: Math.floor(Date.now() / 1000) + 600 }, { secret });
      const clients = new Clients(second);
      const socket = await clients.connect(token);
      assert.equal(socket.connected, true);
      clients.closeAll();
    } finally {
      await second.stop();
    }
  } finally {
    database.remove();
  }
});
