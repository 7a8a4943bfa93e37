// What the server's limits look like in the page: a token that expires mid-session sends the
// person back to the login form with a message (not a chat that silently stopped working), and
// a send refused as too fast (RATE_LIMITED) shows a short notice and goes out by itself after
// the wait the server named.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  PASSWORD, browserPerFile, freshDatabase, message, newPerson, openConversation, send, sent, signUp, startParley,
  submitLogin, uniqueUsername,
} from "./helpers.mjs";

const browser = browserPerFile();

describe("a token that expires during the session (--jwt-expires-in 4s)", () => {
  let database, server;
  before(async () => {
    database = freshDatabase();
    server = await startParley({ database, args: ["--jwt-expires-in", "4s"] });
  });
  after(async () => {
    await server?.stop();
    database?.remove();
  });

  test("the page goes back to the login form with a message, and logging in again works", async () => {
    const ida = await newPerson(browser());
    // The page's clock runs a minute slow: its own expiry timer would fire only then, so what
    // the test sees is the server ending the connection at the token's exp.
    await ida.context.addInitScript(() => {
      const now = Date.now;
      Date.now = () => now() - 60000;
    });
    const name = uniqueUsername("ida");
    const page = await signUp(ida, server, name);
    const signedUpAt = Date.now();
    await page.getByRole("alert").filter({ hasText: "Your session has expired. Please log in again." }).waitFor();
    const after = Date.now() - signedUpAt;
    assert.ok(after < 4000 + 3000, `sent back ${after} ms after signing up with a 4 s token`);
    assert.equal(await page.getByRole("button", { name: "Log in", exact: true }).isVisible(), true);
    assert.equal(await page.locator("#chat-view").isHidden(), true, "the chat is not left on screen");
    assert.equal(await page.evaluate(() => localStorage.length), 0, "the expired session is forgotten");
    await submitLogin(page, name, PASSWORD, "Log in");
    await page.getByRole("button", { name: "Log out", exact: true }).waitFor();
    assert.deepEqual(ida.problems, []);
    await ida.context.close();
  });
});

describe("sending too fast (--send-rate-per-user 2/8s)", () => {
  let database, server;
  before(async () => {
    database = freshDatabase();
    server = await startParley({ database, args: ["--send-rate-per-user", "2/8s"] });
  });
  after(async () => {
    await server?.stop();
    database?.remove();
  });

  test("a notice says so, and the message goes out by itself after retryAfterMs", async () => {
    const [jo, kim] = [await newPerson(browser()), await newPerson(browser())];
    const [joName, kimName] = [uniqueUsername("jo"), uniqueUsername("kim")];
    const joPage = await signUp(jo, server, joName);
    const kimPage = await signUp(kim, server, kimName);
    await openConversation(joPage, kimName);
    await openConversation(kimPage, joName);
    // A burst of two passes; the third waits for the next token (4 s at 0.25 per second).
    for (const text of ["one", "two", "three"]) await send(joPage, text);
    await joPage.getByRole("status").filter({ hasText: /You are sending messages too fast\. Trying again in \d+ seconds?\./ }).waitFor();
    const third = joPage.getByRole("log").locator("li.message.mine").filter({ hasText: "three" });
    assert.equal(await third.getAttribute("data-state"), "sending", "waiting, not failed");
    await sent(joPage, "three");
    await message(kimPage, "three");
    const texts = await kimPage.getByRole("log").locator("li.message .text").allTextContents();
    assert.deepEqual(texts, ["one", "two", "three"], "each once, in order");
    await joPage.locator("#notice").waitFor({ state: "hidden" });
    assert.deepEqual([...jo.problems, ...kim.problems], []);
  });
});
