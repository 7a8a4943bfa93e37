// Conversations in the web client, in real headless Chromium with several people (a browser
// context each): a group made through the New group dialog, the conversation list kept by the
// server (unread counts shown, kept over a reload, cleared by reading; new activity on top; the
// total in the page title), Sent / Delivered / Read between browsers (in a group: read by
// everyone; nothing read by a tab in the background), a group's members added, removed and
// leaving from its header, the "New messages" cue while scrolled up, links as anchors without
// any injected markup, and a message written while the server was down sent by itself once it
// is back.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  browserPerFile, connectedState, conversationEntry, createGroup, freshDatabase, message, newPerson, openConversation,
  openEntry, send, sent, signUp, startParley, stateOf, uniqueUsername,
} from "./helpers.mjs";

const browser = browserPerFile();

// The accessible names of the conversation list's entries, top first, without ", online"
// (presence has its own test: presence.test.mjs).
function entryNames(page) {
  return page.getByRole("list", { name: "Conversations", exact: true }).getByRole("button")
    .evaluateAll((buttons) => buttons.map((b) => b.getAttribute("aria-label").replace(/, online$/, "")));
}

// Until the entry of `name` shows no unread count (its name is the name, online or not).
async function nothingUnread(page, name) {
  await page.waitForFunction((expected) => [...document.querySelectorAll("#conversation-list button")]
    .some((b) => b.getAttribute("aria-label").replace(/, online$/, "") === expected), name);
}

async function waitForTitle(page, title) {
  await page.waitForFunction((expected) => document.title === expected, title);
}

describe("conversations", () => {
  let database, server, ann, ben, cleo, annPage, benPage, cleoPage;
  const annName = uniqueUsername("ann");
  const benName = uniqueUsername("ben");
  const cleoName = uniqueUsername("cleo");
  const group = "Weekend trip";

  before(async () => {
    database = freshDatabase();
    server = await startParley({ database });
    [ann, ben, cleo] = [await newPerson(browser()), await newPerson(browser()), await newPerson(browser())];
    annPage = await signUp(ann, server, annName);
    benPage = await signUp(ben, server, benName);
    cleoPage = await signUp(cleo, server, cleoName);
  });

  after(async () => {
    await server?.stop();
    database?.remove();
  });

  test("a group made with the New group dialog reaches every member's list", async () => {
    await createGroup(annPage, group, [benName, cleoName]);
    await annPage.getByRole("log").getByText(`You created the group “${group}”`).waitFor();
    for (const page of [benPage, cleoPage]) await conversationEntry(page, group).waitFor();
    // The header shows the members.
    await annPage.getByText(new RegExp(`${benName}.*${cleoName}|${cleoName}.*${benName}`)).first().waitFor();
    assert.equal(await annPage.getByRole("button", { name: "Members (3)" }).isVisible(), true);
    assert.deepEqual([...ann.problems, ...ben.problems, ...cleo.problems], []);
  });

  test("unread counts: shown, kept over a reload, in the title, cleared by reading; new activity on top", async () => {
    await openConversation(annPage, benName);
    await send(annPage, "Hello Ben, direct");
    await sent(annPage, "Hello Ben, direct");
    await conversationEntry(benPage, `${annName}, 1 unread`).waitFor();

    await openEntry(annPage, group);
    await send(annPage, "Who is coming on Saturday?");
    await sent(annPage, "Who is coming on Saturday?");
    await conversationEntry(benPage, `${group}, 1 unread`).waitFor();
    assert.deepEqual(await entryNames(benPage), [`${group}, 1 unread`, `${annName}, 1 unread`]);
    await waitForTitle(benPage, "(2) Parley");

    // Kept by the server: a reload (or another device) shows the same.
    await benPage.reload();
    await connectedState(benPage);
    await conversationEntry(benPage, `${group}, 1 unread`).waitFor();
    assert.deepEqual(await entryNames(benPage), [`${group}, 1 unread`, `${annName}, 1 unread`]);
    await waitForTitle(benPage, "(2) Parley");
    // The last message is the entry's description.
    assert.match(await conversationEntry(benPage, `${group}, 1 unread`).getAttribute("aria-describedby"), /^preview-/);
    await benPage.getByText(`${annName}: Who is coming on Saturday?`).waitFor();

    // New activity in the direct conversation moves it to the top.
    await openEntry(annPage, benName);
    await send(annPage, "And lunch today?");
    await conversationEntry(benPage, `${annName}, 2 unread`).waitFor();
    assert.deepEqual(await entryNames(benPage), [`${annName}, 2 unread`, `${group}, 1 unread`]);
    await waitForTitle(benPage, "(3) Parley");

    // Reading clears it, here and on Ben's other device.
    const benPhone = await ben.newPage();
    await benPhone.goto(server.url);
    await connectedState(benPhone);
    await conversationEntry(benPhone, `${annName}, 2 unread`).waitFor();
    await openEntry(benPage, annName);
    await message(benPage, "And lunch today?");
    await nothingUnread(benPage, annName);
    await waitForTitle(benPage, "(1) Parley");
    await nothingUnread(benPhone, annName);
    await waitForTitle(benPhone, "(1) Parley");
    await benPhone.close();
    assert.deepEqual([...ann.problems, ...ben.problems], []);
  });

  test("Sent, Delivered, Read between browsers; in a group Read means read by everyone", async () => {
    // Dan is not connected: Ann's message is stored but reaches no device of his.
    const dan = await newPerson(browser());
    const danName = uniqueUsername("dan");
    const danPage = await signUp(dan, server, danName);
    await danPage.close();
    await openConversation(annPage, danName);
    await send(annPage, "Are you there, Dan?");
    await sent(annPage, "Are you there, Dan?");
    assert.equal(await stateOf(annPage, "Are you there, Dan?"), "Sent");
    // Dan's page opens (the list, not the conversation): delivered.
    const danAgain = await dan.newPage();
    await danAgain.goto(server.url);
    await conversationEntry(danAgain, `${annName}, 1 unread`).waitFor();
    await annPage.getByRole("log").locator("li.message.mine").filter({ hasText: "Are you there, Dan?" })
      .getByRole("img", { name: "Delivered", exact: true }).waitFor();
    // He opens it: read.
    await openEntry(danAgain, annName);
    await annPage.getByRole("log").locator("li.message.mine").filter({ hasText: "Are you there, Dan?" })
      .getByRole("img", { name: "Read", exact: true }).waitFor();

    // The group: Ben reads, Cleo has not yet: Delivered (both are connected); then Read.
    // Cleo's page shows her list (no conversation open).
    await openEntry(annPage, group);
    await send(annPage, "Bring boots");
    await sent(annPage, "Bring boots");
    await openEntry(benPage, group);
    await message(benPage, "Bring boots");
    const boots = annPage.getByRole("log").locator("li.message.mine").filter({ hasText: "Bring boots" });
    await boots.getByRole("img", { name: "Delivered", exact: true }).waitFor();
    await openEntry(cleoPage, group);
    await message(cleoPage, "Bring boots");
    await boots.getByRole("img", { name: "Read", exact: true }).waitFor();
    await dan.context.close();
    assert.deepEqual([...ann.problems, ...ben.problems, ...cleo.problems], []);
  });

  test("members: removed, added and leaving, from the conversation's header", async () => {
    await openEntry(annPage, group);
    await annPage.getByRole("button", { name: /^Members/ }).click();
    const dialog = annPage.getByRole("dialog", { name: `Members of ${group}` });
    await dialog.getByRole("button", { name: `Remove ${cleoName}`, exact: true }).click();
    await annPage.getByRole("log").getByText(`You removed ${cleoName}`).waitFor();
    await conversationEntry(cleoPage, group).waitFor({ state: "detached" });
    await cleoPage.getByText("You are no longer a member of that group.").waitFor();
    assert.equal(await dialog.getByText(cleoName).count(), 0);

    const eve = await newPerson(browser());
    const eveName = uniqueUsername("eve");
    const evePage = await signUp(eve, server, eveName);
    await dialog.getByLabel("Add people", { exact: true }).fill(eveName);
    await dialog.getByRole("button", { name: `Add ${eveName}`, exact: true }).click();
    await annPage.getByRole("log").getByText(`You added ${eveName}`).waitFor();
    await conversationEntry(evePage, group).waitFor();
    await dialog.getByText(eveName, { exact: true }).waitFor();
    await dialog.getByRole("button", { name: "Close", exact: true }).click();
    await annPage.getByRole("button", { name: "Members (3)" }).waitFor();

    // Ben leaves by himself: the group goes from his list; the others see him go.
    await openEntry(benPage, group);
    await benPage.getByRole("button", { name: /^Members/ }).click();
    await benPage.getByRole("dialog").getByRole("button", { name: "Leave group", exact: true }).click();
    await conversationEntry(benPage, group).waitFor({ state: "detached" });
    await annPage.getByRole("log").getByText(`${benName} left`).waitFor();
    await annPage.getByRole("button", { name: "Members (2)" }).waitFor();
    // A member cannot remove anyone: Eve sees no Remove button.
    await openEntry(evePage, group);
    await evePage.getByRole("button", { name: /^Members/ }).click();
    await evePage.getByRole("dialog").getByText(annName, { exact: false }).first().waitFor();
    assert.equal(await evePage.getByRole("dialog").getByRole("button", { name: /^Remove/ }).count(), 0);
    await eve.context.close();
    assert.deepEqual([...ann.problems, ...ben.problems, ...cleo.problems], []);
  });

  test("an owner renames the group and makes an admin, who may remove members but not the owner", async () => {
    await createGroup(annPage, "Book club", [benName, cleoName]);
    await conversationEntry(benPage, "Book club").waitFor();
    await annPage.getByRole("button", { name: /^Members/ }).click();
    await annPage.getByRole("dialog", { name: "Members of Book club" }).waitFor();
    const dialog = annPage.getByRole("dialog");
    await dialog.getByLabel("Rename group", { exact: true }).fill("Reading club");
    await dialog.getByRole("button", { name: "Rename", exact: true }).click();
    await annPage.getByRole("heading", { name: "Reading club", exact: true }).waitFor();
    await annPage.getByRole("log").getByText("You renamed the group to “Reading club”").waitFor();
    await conversationEntry(benPage, "Reading club").waitFor();
    await annPage.getByRole("dialog", { name: "Members of Reading club" }).waitFor();
    await dialog.getByRole("button", { name: `Make ${benName} an admin`, exact: true }).click();
    await dialog.getByRole("button", { name: `Make ${benName} a member`, exact: true }).waitFor();
    await dialog.getByRole("button", { name: "Close", exact: true }).click();

    await openEntry(benPage, "Reading club");
    await benPage.getByRole("log").getByText(`${annName} made you an admin`).waitFor();
    await benPage.getByRole("button", { name: /^Members/ }).click();
    const benDialog = benPage.getByRole("dialog");
    await benDialog.getByRole("button", { name: `Remove ${cleoName}`, exact: true }).waitFor();
    assert.equal(await benDialog.getByRole("button", { name: `Remove ${annName}` }).count(), 0, "an admin cannot remove an owner");
    assert.equal(await benDialog.getByRole("button", { name: /^Make / }).count(), 0, "only an owner sets roles");
    await benDialog.getByRole("button", { name: "Close", exact: true }).click();
    assert.deepEqual([...ann.problems, ...ben.problems], []);
  });

  test("a link is an anchor with rel=noopener; markup in text stays text", async () => {
    const text = "Plan: https://example.com/trip?day=sat. <script>window.pwned=1</script><img src=x onerror=alert(1)>";
    await openEntry(annPage, benName);
    await send(annPage, text);
    await sent(annPage, text);
    await openEntry(benPage, annName);
    const item = await message(benPage, text);
    const link = item.getByRole("link", { name: "https://example.com/trip?day=sat", exact: true });
    assert.equal(await link.getAttribute("href"), "https://example.com/trip?day=sat");
    assert.match(await link.getAttribute("rel"), /\bnoopener\b/);
    assert.equal(await link.getAttribute("target"), "_blank");
    assert.equal(await item.locator(".text").textContent(), text);
    for (const page of [annPage, benPage]) {
      assert.equal(await page.getByRole("log").locator("script, img, [onerror]").count(), 0);
      assert.equal(await page.evaluate(() => window.pwned), undefined);
    }
    assert.deepEqual([...ann.dialogs, ...ben.dialogs], []);
  });

  test("messages grouped by sender and day; a New messages cue while scrolled up, not read meanwhile", async () => {
    await openEntry(annPage, benName);
    for (let i = 1; i <= 25; i++) await send(annPage, `line ${i}`);
    await sent(annPage, "line 25");
    await openEntry(benPage, annName);
    await message(benPage, "line 25");
    // One day heading, one group: the name is not repeated on each message.
    await benPage.getByRole("log").locator("li.day").filter({ hasText: "Today" }).waitFor();
    assert.equal(await benPage.getByRole("log").locator("li.day").count(), 1);
    assert.ok(await benPage.getByRole("log").locator("li.message.theirs.continued").count() >= 20);
    await benPage.getByRole("log").evaluate((log) => (log.scrollTop = 0));
    await send(annPage, "are you still reading?");
    await sent(annPage, "are you still reading?");
    const cue = benPage.getByRole("button", { name: /New messages/ });
    await cue.waitFor();
    // Not on screen, so not read.
    await conversationEntry(benPage, `${annName}, 1 unread`).waitFor();
    assert.notEqual(await stateOf(annPage, "are you still reading?"), "Read");
    await cue.click();
    await cue.waitFor({ state: "hidden" });
    await annPage.getByRole("log").locator("li.message.mine").filter({ hasText: "are you still reading?" })
      .getByRole("img", { name: "Read", exact: true }).waitFor();
    await nothingUnread(benPage, annName);
  });

  test("on a phone, a message arriving after Back shows as unread in the list, and reading clears it", async () => {
    const ivy = await newPerson(browser(), { viewport: { width: 390, height: 740 } });
    const ivyName = uniqueUsername("ivy");
    const ivyPage = await signUp(ivy, server, ivyName);
    await openConversation(annPage, ivyName);
    await send(annPage, "Hi Ivy");
    await openEntry(ivyPage, annName);
    await message(ivyPage, "Hi Ivy");
    await annPage.getByRole("log").locator("li.message.mine").filter({ hasText: "Hi Ivy" })
      .getByRole("img", { name: "Read", exact: true }).waitFor();
    await ivyPage.getByRole("button", { name: "Back to conversations" }).click();
    await conversationEntry(ivyPage, annName).waitFor();
    await send(annPage, "Are you still there?");
    await conversationEntry(ivyPage, `${annName}, 1 unread`).waitFor();
    await waitForTitle(ivyPage, "(1) Parley");
    const asked = annPage.getByRole("log").locator("li.message.mine").filter({ hasText: "Are you still there?" });
    await asked.getByRole("img", { name: "Delivered", exact: true }).waitFor();
    await conversationEntry(ivyPage, `${annName}, 1 unread`).click();
    await message(ivyPage, "Are you still there?");
    await asked.getByRole("img", { name: "Read", exact: true }).waitFor();
    await waitForTitle(ivyPage, "Parley");
    assert.deepEqual(ivy.problems, []);
    await ivy.context.close();
  });

  test("a tab in the background does not mark anything read; on focus it does", async () => {
    // The page's idea of focus, switchable by the test (the headless browser has every page focused).
    const hal = await newPerson(browser());
    await hal.context.addInitScript(() => {
      Document.prototype.hasFocus = function hasFocus() {
        return !window.parleyTestAway;
      };
    });
    const halName = uniqueUsername("hal");
    const halPage = await signUp(hal, server, halName);
    await openConversation(annPage, halName);
    await send(annPage, "first, while Hal looks");
    await sent(annPage, "first, while Hal looks");
    await openEntry(halPage, annName);
    await annPage.getByRole("log").locator("li.message.mine").filter({ hasText: "first, while Hal looks" })
      .getByRole("img", { name: "Read", exact: true }).waitFor();

    await halPage.evaluate(() => (window.parleyTestAway = true));
    await send(annPage, "second, Hal is away");
    await message(halPage, "second, Hal is away");
    const second = annPage.getByRole("log").locator("li.message.mine").filter({ hasText: "second, Hal is away" });
    await second.getByRole("img", { name: "Delivered", exact: true }).waitFor();
    await conversationEntry(halPage, `${annName}, 1 unread`).waitFor();
    await waitForTitle(halPage, "(1) Parley");

    await halPage.evaluate(() => {
      window.parleyTestAway = false;
      window.dispatchEvent(new Event("focus"));
    });
    await second.getByRole("img", { name: "Read", exact: true }).waitFor();
    await waitForTitle(halPage, "Parley");
    assert.deepEqual(hal.problems, []);
    await hal.context.close();
  });
});

describe("a message written while the server is down", () => {
  let database, server;
  before(async () => {
    database = freshDatabase();
    server = await startParley({ database });
  });
  after(async () => {
    await server?.stop();
    database?.remove();
  });

  test("is sent by itself after reconnecting, once", async () => {
    const [fay, gus] = [await newPerson(browser()), await newPerson(browser())];
    const [fayName, gusName] = [uniqueUsername("fay"), uniqueUsername("gus")];
    const fayPage = await signUp(fay, server, fayName);
    const gusPage = await signUp(gus, server, gusName);
    await openConversation(fayPage, gusName);
    await send(fayPage, "before");
    await sent(fayPage, "before");
    await openEntry(gusPage, fayName);

    const port = server.port;
    await server.stop();
    await fayPage.getByRole("status").filter({ hasText: /^Reconnecting…$/ }).waitFor();
    await send(fayPage, "written while the server was down");
    const waiting = fayPage.getByRole("log").locator('li.message.mine[data-state="failed"]').filter({ hasText: "written while the server was down" });
    await waiting.getByText(/not connected/).waitFor();

    server = await startParley({ database, port });
    await connectedState(fayPage);
    await sent(fayPage, "written while the server was down");
    await message(gusPage, "written while the server was down");
    const texts = await gusPage.getByRole("log").locator("li.message .text").allTextContents();
    assert.deepEqual(texts, ["before", "written while the server was down"]);
    // And after a reload, still once.
    await gusPage.reload();
    await connectedState(gusPage);
    await openEntry(gusPage, fayName);
    await message(gusPage, "written while the server was down");
    assert.deepEqual(await gusPage.getByRole("log").locator("li.message .text").allTextContents(), ["before", "written while the server was down"]);
    assert.deepEqual([...fay.problems, ...gus.problems], []);
  });
});
