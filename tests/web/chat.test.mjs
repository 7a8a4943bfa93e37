// Two people chat through the web client in real headless Chromium: sign up, find each other,
// talk live both ways (in every open tab), reload and see the history, wrong passwords and
// taken usernames, hostile text shown as text, a failed send and its retry, and the page on a
// phone-sized screen driven by the keyboard alone. Saves a screenshot on the way (helpers.mjs:
// screenshotPath).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  PASSWORD, conversationEntry, freshDatabase, launchBrowser, message, newPerson, openConversation, personButton, screenshotPath,
  send, sent,
  signUp, startParley, submitLogin, uniqueUsername, connectedState,
} from "./helpers.mjs";

describe("the web client", () => {
  let database, server, browser, ann, ben, annPage, benPage;
  // Each test file has a database of its own: plain names read well in the screenshot.
  const annName = "ann.lee";
  const benName = "ben.okafor";

  before(async () => {
    database = freshDatabase();
    server = await startParley({ database });
    browser = await launchBrowser();
    ann = await newPerson(browser);
    ben = await newPerson(browser);
    annPage = await signUp(ann, server, annName);
    benPage = await signUp(ben, server, benName);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    database?.remove();
  });

  test("serves the page with its security headers", async () => {
    const response = await fetch(server.url + "/");
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type"), /^text\/html/);
    const csp = response.headers.get("content-security-policy");
    for (const directive of ["default-src 'self'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) {
      assert.ok(csp.includes(directive), `CSP ${csp} has ${directive}`);
    }
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    assert.equal(response.headers.get("x-frame-options"), "DENY");
    assert.equal(response.headers.get("referrer-policy"), "no-referrer");
    // The bundle goes out gzip'd (the build's twin) to clients that take it.
    const bundle = await fetch(server.url + "/socket.io.esm.min.js", { headers: { "accept-encoding": "gzip" } });
    assert.equal(bundle.status, 200);
    assert.equal(bundle.headers.get("content-encoding"), "gzip");
    assert.match(await bundle.text(), /export\{/);
    assert.equal((await fetch(server.url + "/../../etc/passwd")).status, 404);
    assert.equal((await fetch(server.url + "/.env")).status, 404);
  });

  test("two people exchange messages live, in every open tab", async () => {
    // Under the page's CSP, 'self' lets Socket.IO upgrade to a same-origin WebSocket.
    await annPage.waitForFunction(() => document.body.dataset.transport === "websocket");

    await openConversation(annPage, benName);
    await send(annPage, "Hi Ben! Lunch at noon?");
    const first = await sent(annPage, "Hi Ben! Lunch at noon?");
    assert.match(await first.getAttribute("class"), /\bmine\b/);

    // Ben has not opened the conversation: it is in his list, with Ann's message unread.
    const annEntry = conversationEntry(benPage, `${annName}, 1 unread`);
    await annEntry.waitFor();
    await annEntry.click();
    const received = await message(benPage, "Hi Ben! Lunch at noon?");
    assert.match(await received.getAttribute("class"), /\btheirs\b/);

    // A second tab of Ann's, logged in by the same browser profile.
    const annTab = await ann.newPage();
    await annTab.goto(server.url);
    await connectedState(annTab);
    await openConversation(annTab, benName);
    await message(annTab, "Hi Ben! Lunch at noon?");

    await send(benPage, "Sure, see you at the usual place.", { withButton: true });
    await sent(benPage, "Sure, see you at the usual place.");
    await message(annPage, "Sure, see you at the usual place.");
    await message(annTab, "Sure, see you at the usual place.");

    await send(annTab, "Great, I'll book a table at Café Łódź");
    await message(annPage, "Great, I'll book a table at Café Łódź");
    await message(benPage, "Great, I'll book a table at Café Łódź");
    await send(benPage, "Perfect. Bring the slides\nfor Thursday, please.");
    await message(annPage, "Perfect. Bring the slides\nfor Thursday, please.");
    await send(annPage, "Will do. Ça marche !");
    await sent(annPage, "Will do. Ça marche !");
    await message(benPage, "Will do. Ça marche !");

    // Times in local time: each message shows the hour of its createdAt in the page's zone.
    const shown = await annPage.getByRole("log").locator("li.message time").first().evaluate((time) => ({
      text: time.textContent,
      expected: new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" }).format(new Date(time.dateTime)),
    }));
    assert.equal(shown.text, shown.expected);

    await annPage.getByLabel("Message", { exact: true }).fill("");
    await annPage.evaluate(() => document.activeElement.blur());
    await annPage.screenshot({ path: screenshotPath() });
    await annTab.close();
    assert.deepEqual([...ann.problems, ...ben.problems], []);
  });

  test("a reload keeps the login and shows the history", async () => {
    await annPage.reload();
    await connectedState(annPage);
    await openConversation(annPage, benName);
    await message(annPage, "Will do. Ça marche !");
    const texts = await annPage.getByRole("log").locator("li.message .text").allTextContents();
    assert.deepEqual(texts.slice(-5), [
      "Hi Ben! Lunch at noon?",
      "Sure, see you at the usual place.",
      "Great, I'll book a table at Café Łódź",
      "Perfect. Bring the slides\nfor Thursday, please.",
      "Will do. Ça marche !",
    ]);
  });

  test("a wrong password and a taken username get clear messages", async () => {
    const stranger = await newPerson(browser);
    const page = await stranger.newPage();
    await page.goto(server.url);
    await submitLogin(page, annName, "not the password", "Log in");
    await page.getByRole("alert").filter({ hasText: "Invalid username or password" }).waitFor();
    await submitLogin(page, annName, PASSWORD, "Sign up");
    await page.getByRole("alert").filter({ hasText: /Username already taken/ }).waitFor();
    // and the right password works
    await submitLogin(page, annName, PASSWORD, "Log in");
    await page.getByRole("button", { name: "Log out", exact: true }).click();
    await page.getByRole("button", { name: "Log in", exact: true }).waitFor();
    assert.equal(await page.evaluate(() => localStorage.length), 0);
    await stranger.context.close();
  });

  test("message text is shown as text, never as HTML", async () => {
    const hostile = "<img src=x onerror=alert(1)>";
    await send(annPage, hostile);
    await sent(annPage, hostile);
    for (const page of [annPage, benPage]) {
      const item = await message(page, hostile);
      assert.equal(await item.locator(".text").textContent(), hostile);
      assert.equal(await page.getByRole("log").locator("img").count(), 0);
    }
    assert.deepEqual(ann.dialogs, []);
    assert.deepEqual(ben.dialogs, []);
  });

  test("a refused send shows as failed, with a retry", async () => {
    const tooLong = "x".repeat(5001);
    await send(annPage, tooLong);
    const item = annPage.getByRole("log").locator('li.message.mine[data-state="failed"]');
    await item.getByText(/failed: Message content too long/).waitFor();
    await item.getByRole("button", { name: "Retry", exact: true }).click();
    await annPage.getByRole("log").locator('li.message.mine[data-state="failed"]').waitFor();
    assert.equal(await annPage.getByRole("log").locator('li.message.mine[data-state="failed"]').count(), 1);
  });

  test("on a phone-sized screen, with the keyboard alone", async () => {
    const phone = await newPerson(browser, { viewport: { width: 390, height: 740 } });
    const page = await phone.newPage();
    await page.goto(server.url);
    const carlName = uniqueUsername("carl");
    await page.getByLabel("Username", { exact: true }).focus();
    await page.keyboard.type(carlName);
    await page.keyboard.press("Tab");
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press("Tab");  // Log in
    await page.keyboard.press("Tab");  // Sign up
    await page.keyboard.press("Enter");
    await connectedState(page);

    // The search box has the focus; the people found come next in the tab order.
    await page.keyboard.type(benName);
    const benButton = personButton(page, benName);
    await page.waitForFunction(() => document.querySelectorAll("#people button").length === 1);
    await benButton.waitFor();
    await page.keyboard.press("Tab");
    assert.equal(await benButton.evaluate((button) => button === document.activeElement), true);
    await page.keyboard.press("Enter");

    // One pane at a time: the conversation replaces the list, and the message box has the focus.
    await page.getByRole("heading", { name: benName, exact: true }).waitFor();
    assert.equal(await page.getByRole("navigation", { name: "Chats" }).isVisible(), false);
    await page.keyboard.type("Hello from a phone");
    await page.keyboard.press("Enter");
    await sent(page, "Hello from a phone");
    await page.getByLabel("Find people", { exact: true }).waitFor({ state: "hidden" });
    const box = await page.getByLabel("Message", { exact: true }).boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390 && box.y + box.height <= 740, `message box on screen: ${JSON.stringify(box)}`);

    await page.getByRole("button", { name: "Back to conversations" }).click();
    await benButton.waitFor();
    assert.equal(await benButton.evaluate((button) => button === document.activeElement), true);
    assert.deepEqual(phone.problems, []);
    await phone.context.close();
  });
});
