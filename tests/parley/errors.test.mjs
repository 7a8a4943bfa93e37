// Every failure the seed names, each reported both ways (the `error` event {message, code,
// event} and the ack {success: false, error, code}), with the socket still connected and usable afterwards; the
// length limit following --max-message-length; unknown users refused at connect with
// --no-auto-create-users.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";

import {
  Clients, codeOf, expectFailure, history, record, registerUser, runId, send, startParley, tokenUser, waitFor,
  waitForMatching,
} from "./helpers.mjs";

const INVALID_RECEIVER = "Invalid receiverId";
const INVALID_OTHER = "Invalid otherUserId";
const EMPTY = "Message content cannot be empty";
const TOO_LONG = "Message content too long (max 5000 characters)";

// Proves the socket still works: a message sent now is acknowledged and delivered.
async function stillWorks(socket, receiver, receiverSocket, content = `still here ${randomUUID()}`) {
  assert.equal(socket.connected, true, "the socket stays connected after errors");
  const delivered = waitForMatching(receiverSocket, "receive_message", (m) => m?.content === content);
  const { messageId } = await send(socket, receiver.id, content);
  assert.equal((await delivered)[0].id, messageId);
}

describe("with the default settings", { concurrency: true }, () => {
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

  test(`send_message: "${INVALID_RECEIVER}" for a missing payload, a non-object, or a receiverId that is neither an id string nor an integer`, async () => {
    const alice = tokenUser("Alice");
    const bob = tokenUser("Bob");
    const [a, b] = await Promise.all([clients.connect(alice.token), clients.connect(bob.token)]);
    const bobReceived = record(b, "receive_message").seen;
    const cases = [
      [],
      [null],
      ["a string"],
      [42],
      [true],
      [[bob.id, "hello"]],
      [{}],
      [{ content: "no receiver" }],
      [{ receiverId: null, content: "hello" }],
      [{ receiverId: "", content: "hello" }],
      [{ receiverId: "x".repeat(129), content: "129 characters" }],
      [{ receiverId: "€".repeat(129), content: "129 characters of 3 bytes" }],
      [{ receiverId: `${bob.id}\n`, content: "a control character" }],
      [{ receiverId: "tab\there", content: "a control character" }],
      [{ receiverId: "del\u007f", content: "DEL" }],
      [{ receiverId: "c1\u0085", content: "a C1 control character" }],
      [{ receiverId: 1.5, content: "not an integer" }],
      [{ receiverId: true, content: "hello" }],
      [{ receiverId: [bob.id], content: "hello" }],
      [{ receiverId: { id: bob.id }, content: "hello" }],
      // The receiver is checked first, as the seed does.
      [{ receiverId: "", content: "" }],
      [{ receiverId: null }],
    ];
    for (const args of cases) await expectFailure(a, "send_message", args, INVALID_RECEIVER);
    await stillWorks(a, bob, b);
    assert.equal(bobReceived.length, 1, "no refused message was delivered");
  });

  test('send_message: any other id string (1-128 characters) or integer names a user: "Receiver not found" when nobody has it', async () => {
    const alice = tokenUser("Alice");
    const bob = tokenUser("Bob");
    const [a, b] = await Promise.all([clients.connect(alice.token), clients.connect(bob.token)]);
    for (const receiverId of [
      123, 0, -7, 2 ** 53 + 2, "not-a-uuid", bob.id.replaceAll("-", ""), `${bob.id}0`, ` ${bob.id}`,
      "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", "x".repeat(128), "€".repeat(128), `nobody-${runId}@example.com`,
      // An integer id nobody has (the PostgreSQL suite shares its database with other files).
      String(Number.parseInt(runId, 16) + 1_000_000_000_000),
    ]) {
      await expectFailure(a, "send_message", [{ receiverId, content: "anyone there?" }], "Receiver not found");
    }
    // A valid id does not excuse bad content: content is checked before anyone is looked up.
    await expectFailure(a, "send_message", [{ receiverId: "not-a-uuid", content: "" }], EMPTY);
    await stillWorks(a, bob, b);
  });

  test(`send_message: "${EMPTY}" for missing, non-string or blank content (unicode spaces too)`, async () => {
    const alice = tokenUser("Alice");
    const bob = tokenUser("Bob");
    const [a, b] = await Promise.all([clients.connect(alice.token), clients.connect(bob.token)]);
    const blanks = ["", " ", "   ", "\t\n\r\v\f ", "\u00a0", "\u2003\u3000", "\ufeff", "\u2028\u2029", "\u1680\u202f\u205f\u200a"];
    const cases = [
      [{ receiverId: bob.id }],
      [{ receiverId: bob.id, content: null }],
      [{ receiverId: bob.id, content: 42 }],
      [{ receiverId: bob.id, content: true }],
      [{ receiverId: bob.id, content: ["hello"] }],
      [{ receiverId: bob.id, content: { text: "hello" } }],
      ...blanks.map((content) => [{ receiverId: bob.id, content }]),
      // Content is checked before anyone is looked up.
      [{ receiverId: randomUUID(), content: " " }],
    ];
    for (const args of cases) await expectFailure(a, "send_message", args, EMPTY);
    await stillWorks(a, bob, b);
    assert.deepEqual((await history(a, { otherUserId: bob.id })).list.length, 1, "nothing refused was stored");
  });

  test(`send_message: 5000 characters pass (counted in characters, '€' too), 5001 get "${TOO_LONG}"`, async () => {
    const alice = tokenUser("Alice");
    const bob = tokenUser("Bob");
    const [a, b] = await Promise.all([clients.connect(alice.token), clients.connect(bob.token)]);
    const accepted = ["a".repeat(5000), "€".repeat(5000), `${"a".repeat(4999)}€`, `${" ".repeat(4999)}x`];
    for (const content of accepted) {
      const delivered = waitForMatching(b, "receive_message", (m) => m?.content === content);
      const { messageId } = await send(a, bob.id, content);
      assert.equal((await delivered)[0].id, messageId, `${content.length} characters of ${content.at(-1)}`);
    }
    for (const content of ["a".repeat(5001), "€".repeat(5001), `${"€".repeat(5000)}a`, "x".repeat(100_000)]) {
      await expectFailure(a, "send_message", [{ receiverId: bob.id, content }], TOO_LONG);
    }
    // Length is checked before anyone is looked up.
    await expectFailure(a, "send_message", [{ receiverId: randomUUID(), content: "a".repeat(5001) }], TOO_LONG);
    const { list } = await history(b, { otherUserId: alice.id });
    assert.deepEqual(list.map((m) => m.content), accepted, "stored unchanged, refused ones not at all");
    await stillWorks(a, bob, b);
  });

  test('send_message: "Receiver not found" for a valid UUID that nobody has', async () => {
    const alice = tokenUser("Alice");
    const bob = tokenUser("Bob");
    const [a, b] = await Promise.all([clients.connect(alice.token), clients.connect(bob.token)]);
    await expectFailure(a, "send_message", [{ receiverId: randomUUID(), content: "anyone there?" }], "Receiver not found");
    // A user with a token who never connected is unknown too.
    await expectFailure(a, "send_message", [{ receiverId: tokenUser().id, content: "hello?" }], "Receiver not found");
    await stillWorks(a, bob, b);
  });

  test(`get_messages: "${INVALID_OTHER}" for a missing payload, a non-object, or an otherUserId that is neither an id string nor an integer`, async () => {
    const alice = tokenUser("Alice");
    const bob = tokenUser("Bob");
    const [a, b] = await Promise.all([clients.connect(alice.token), clients.connect(bob.token)]);
    const lists = record(a, "messages_list").seen;
    const cases = [
      [], [null], ["a string"], [42], [[bob.id]], [{}], [{ otherUserId: null }], [{ otherUserId: 4.2 }],
      [{ otherUserId: "" }], [{ otherUserId: "y".repeat(129) }], [{ otherUserId: `${bob.id}\u0000` }],
      [{ otherUserId: { id: bob.id } }], [{ otherUserId: [bob.id] }], [{ receiverId: bob.id }],
    ];
    for (const args of cases) await expectFailure(a, "get_messages", args, INVALID_OTHER);
    assert.equal(lists.length, 0, "no messages_list after a refused get_messages");
    await stillWorks(a, bob, b);
    assert.equal((await history(a, { otherUserId: bob.id })).list.length, 1);
    // Ids nobody has: an empty conversation, not an error.
    for (const otherUserId of [42, "not-a-uuid", bob.id.slice(1)]) {
      assert.deepEqual((await history(a, { otherUserId })).list, [], JSON.stringify(otherUserId));
    }
  });

  test("clients that ask for no ack (as the seed's do) get the error event", async () => {
    const alice = tokenUser("Alice");
    const bob = tokenUser("Bob");
    const [a, b] = await Promise.all([clients.connect(alice.token), clients.connect(bob.token)]);
    for (const [event, payload, message] of [
      ["send_message", { receiverId: "", content: "hi" }, INVALID_RECEIVER],
      ["send_message", { receiverId: bob.id, content: "  " }, EMPTY],
      ["send_message", { receiverId: bob.id, content: "y".repeat(5001) }, TOO_LONG],
      ["send_message", { receiverId: randomUUID(), content: "hi" }, "Receiver not found"],
      ["get_messages", { otherUserId: null }, INVALID_OTHER],
    ]) {
      const error = waitFor(a, "error");
      a.emit(event, payload);
      assert.deepEqual((await error)[0], { message, code: codeOf(message), event }, `${event} ${JSON.stringify(payload).slice(0, 80)}`);
    }
    await stillWorks(a, bob, b);
  });
});

describe("with --max-message-length 10", () => {
  let server;
  let clients;
  before(async () => {
    server = await startParley({ args: ["--max-message-length", "10"] });
    clients = new Clients(server);
  });
  after(async () => {
    clients?.closeAll();
    await server?.stop();
  });

  test("10 characters pass, 11 get the message naming the configured limit", async () => {
    const alice = tokenUser("Alice");
    const bob = tokenUser("Bob");
    const [a, b] = await Promise.all([clients.connect(alice.token), clients.connect(bob.token)]);
    await send(a, bob.id, "0123456789");
    await send(a, bob.id, "€".repeat(10));
    for (const content of ["01234567890", "€".repeat(11)]) {
      await expectFailure(a, "send_message", [{ receiverId: bob.id, content }],
        "Message content too long (max 10 characters)");
    }
    await stillWorks(a, bob, b, "short");
  });
});

describe("with --no-auto-create-users", { concurrency: true }, () => {
  let server;
  let clients;
  before(async () => {
    server = await startParley({ args: ["--no-auto-create-users"] });
    clients = new Clients(server);
  });
  after(async () => {
    clients?.closeAll();
    await server?.stop();
  });

  test("a valid token for an unknown user is refused at connect, like a bad token; known users still talk", async () => {
    const [alice, bob] = await Promise.all([registerUser(server, { label: "alice" }), registerUser(server, { label: "bob" })]);
    const [a, b] = await Promise.all([clients.connect(alice.token), clients.connect(bob.token)]);
    const bobReceived = record(b, "receive_message").seen;
    for (const transport of ["polling", "websocket"]) {
      const stranger = tokenUser("Stranger");
      const s = clients.socket(stranger.token, { transports: [transport] });
      const events = [];
      let acked = null;
      s.on("connect", () => {
        events.push(["connect"]);
        s.emit("send_message", { receiverId: bob.id, content: "hello from nowhere" }, (reply) => (acked = reply));
      });
      s.on("error", (payload) => events.push(["error", payload]));
      const [reason] = await waitFor(s, "disconnect");
      events.push(["disconnect", reason]);
      assert.deepEqual(events, [
        ["connect"], ["error", { message: "Unauthorized", code: "UNAUTHORIZED" }], ["disconnect", "io server disconnect"],
      ], transport);
      assert.equal(acked, null, "the stranger's send was not processed");
      // The stranger was not created by connecting: nobody can write to it either.
      await expectFailure(a, "send_message", [{ receiverId: stranger.id, content: "hi?" }], "Receiver not found");
      assert.deepEqual((await history(b, { otherUserId: stranger.id })).list, []);
    }
    await stillWorks(a, bob, b);
    assert.equal(bobReceived.length, 1, "nothing from the strangers");
  });
});

describe("with --no-auto-create-users --reject-with-connect-error", () => {
  let server;
  let clients;
  before(async () => {
    server = await startParley({ args: ["--no-auto-create-users", "--reject-with-connect-error"] });
    clients = new Clients(server);
  });
  after(async () => {
    clients?.closeAll();
    await server?.stop();
  });

  test("a valid token for an unknown user gets connect_error Unauthorized; a registered user connects", async () => {
    const alice = await registerUser(server, { label: "alice" });
    await clients.connect(alice.token);
    const s = clients.socket(tokenUser("Stranger").token);
    const [error] = await waitFor(s, "connect_error");
    assert.equal(error.message, "Unauthorized");
    assert.equal(s.connected, false);
  });
});
