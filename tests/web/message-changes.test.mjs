// Changing messages in the web client (docs/api.md "Changing messages"), in real headless
// Chromium with a browser context per person: a reaction chosen by one shows as a chip on the
// other's screen (pressed for whoever reacted, a press on it toggles one's own); an edit shows
// the new text and "(edited)" on both sides, and "(edited)" opens the earlier versions; a
// deletion, once confirmed, leaves "This message was deleted" on both sides and in the list; a
// reply shows a quote of what it answers, which goes to that message; in a group only the
// sender and the owners and admins are offered Delete; and a refusal shows as a notice.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  browserPerFile, conversationEntry, createGroup, deleteMessage, editMessage as edit, freshDatabase, message, newPerson,
  openConversation, openEntry, send, sent, signUp, startParley, uniqueUsername,
} from "./helpers.mjs";

const browser = browserPerFile();
const DELETED = "This message was deleted";

// The reaction chip "👍 2" under `item`.
function chip(item, name) {
  return item.getByRole("group", { name: "Reactions" }).getByRole("button", { name, exact: true });
}

// React with the palette's `name` ("thumbs up") on the message `item`.
async function reactWith(page, item, name) {
  await item.getByRole("button", { name: "React", exact: true }).click();
  await page.getByRole("toolbar", { name: "Choose a reaction" }).getByRole("button", { name, exact: true }).click();
}

// The message shown as deleted in place of the one that came after `before` (by its text).
function tombstoneAfter(page, before) {
  return page.getByRole("log").locator("li.message").filter({ has: page.getByText(before, { exact: true }) })
    .locator("xpath=following-sibling::li[contains(@class, 'message')][1]");
}

describe("changing messages", () => {
  let database, server, ann, ben, annPage, benPage;
  const annName = uniqueUsername("ann");
  const benName = uniqueUsername("ben");

  before(async () => {
    database = freshDatabase();
    server = await startParley({ database });
    [ann, ben] = [await newPerson(browser()), await newPerson(browser())];
    annPage = await signUp(ann, server, annName);
    benPage = await signUp(ben, server, benName);
    await openConversation(annPage, benName);
    await send(annPage, "Lunch at noon?");
    await sent(annPage, "Lunch at noon?");
    await annPage.getByLabel("Find people", { exact: true }).fill(""); // the list shows again
    await openEntry(benPage, annName);
    await message(benPage, "Lunch at noon?");
  });

  after(async () => {
    await server?.stop();
    database?.remove();
  });

  test("a reaction shows as a chip on both sides; pressing a chip toggles one's own", async () => {
    await reactWith(benPage, await message(benPage, "Lunch at noon?"), "thumbs up");
    const annItem = await message(annPage, "Lunch at noon?");
    const benItem = await message(benPage, "Lunch at noon?");
    await chip(annItem, "👍 1").waitFor();
    assert.equal(await chip(annItem, "👍 1").getAttribute("aria-pressed"), "false", "Ann did not react");
    await chip(benItem, "👍 1").waitFor();
    assert.equal(await chip(benItem, "👍 1").getAttribute("aria-pressed"), "true", "Ben did");

    // Ann presses the chip: hers is added.
    await chip(annItem, "👍 1").click();
    await chip(benItem, "👍 2").waitFor();
    assert.equal(await chip(annItem, "👍 2").getAttribute("aria-pressed"), "true");
    // Ben presses it: his goes, the chip stays for Ann's.
    await chip(benItem, "👍 2").click();
    await chip(annItem, "👍 1").waitFor();
    assert.equal(await chip(benItem, "👍 1").getAttribute("aria-pressed"), "false");

    // By keyboard: the toolbar is one tab stop, the arrows move in it and in the palette.
    const react = benItem.getByRole("button", { name: "React", exact: true });
    const focusedName = () => benPage.evaluate(() => document.activeElement?.textContent);
    assert.equal(await react.getAttribute("tabindex"), "0");
    assert.equal(await benItem.getByRole("button", { name: "Reply", exact: true }).getAttribute("tabindex"), "-1");
    await react.focus();
    await benPage.keyboard.press("ArrowRight");
    assert.equal(await focusedName(), "Reply");
    await benPage.keyboard.press("ArrowLeft");
    assert.equal(await focusedName(), "React");
    await benPage.keyboard.press("Enter");
    assert.equal(await react.getAttribute("aria-expanded"), "true");
    await benPage.keyboard.press("ArrowRight");
    await benPage.keyboard.press("Enter");
    await chip(annItem, "❤️ 1").waitFor();
    assert.equal(await react.getAttribute("aria-expanded"), "false");
    assert.equal(await focusedName(), "React", "the focus is back on React");
    // Escape closes the palette without choosing.
    await benPage.keyboard.press("Enter");
    await benPage.getByRole("toolbar", { name: "Choose a reaction" }).waitFor();
    await benPage.keyboard.press("Escape");
    await benPage.getByRole("toolbar", { name: "Choose a reaction" }).waitFor({ state: "detached" });
    assert.deepEqual([...ann.problems, ...ben.problems], []);
  });

  test("an edit shows the new text and (edited) on both sides; (edited) opens the earlier versions", async () => {
    await send(annPage, "See you at 8");
    await sent(annPage, "See you at 8");
    const theirs = await message(benPage, "See you at 8");
    assert.equal(await theirs.getByRole("button", { name: "Edit", exact: true }).count(), 0, "only the sender edits");

    // Escape leaves the text as it was.
    await edit(annPage, await message(annPage, "See you at 8"), "not this", "Escape");
    await annPage.getByRole("textbox", { name: "Edit message" }).waitFor({ state: "detached" });
    await message(annPage, "See you at 8");
    // Enter saves.
    await edit(annPage, await message(annPage, "See you at 8"), "See you at 9");
    for (const page of [annPage, benPage]) {
      const item = await message(page, "See you at 9");
      await item.getByRole("button", { name: "Edited, show earlier versions" }).waitFor();
      assert.equal(await item.getByText("(edited)", { exact: true }).isVisible(), true);
      assert.equal(await page.getByRole("log").getByText("See you at 8", { exact: true }).count(), 0);
    }
    // The list's preview follows the edit of the last message.
    await conversationEntry(benPage, annName).getByText("See you at 9", { exact: true }).waitFor();

    await (await message(benPage, "See you at 9")).getByRole("button", { name: "Edited, show earlier versions" }).click();
    const versions = benPage.getByRole("dialog", { name: "Earlier versions" });
    const items = versions.getByRole("list", { name: "Versions, oldest first" }).getByRole("listitem");
    await items.nth(1).waitFor();
    assert.equal(await items.count(), 2);
    assert.match(await items.nth(0).innerText(), /^See you at 8\s+Original/);
    assert.match(await items.nth(1).innerText(), /^See you at 9\s+Edited.*\(current\)/);
    await versions.getByRole("button", { name: "Close", exact: true }).click();
    await versions.waitFor({ state: "hidden" });
    assert.deepEqual([...ann.problems, ...ben.problems], []);
  });

  test("a reply shows a quote of what it answers on both sides; the quote goes to it", async () => {
    const original = await message(benPage, "Lunch at noon?");
    await original.getByRole("button", { name: "Reply", exact: true }).click();
    const replying = benPage.getByText(`Replying to ${annName}: Lunch at noon?`, { exact: true });
    await replying.waitFor();
    // Cancelled, then started again; the message box has the focus to write it.
    await benPage.getByRole("button", { name: "Cancel the reply", exact: true }).click();
    await replying.waitFor({ state: "hidden" });
    await original.getByRole("button", { name: "Reply", exact: true }).click();
    await replying.waitFor();
    await benPage.keyboard.type("Noon works");
    await benPage.keyboard.press("Enter");
    await replying.waitFor({ state: "hidden" });

    const benReply = await message(benPage, "Noon works");
    await benReply.getByRole("button", { name: `In reply to ${annName}: Lunch at noon?`, exact: true }).waitFor();
    const annReply = await message(annPage, "Noon works");
    const quote = annReply.getByRole("button", { name: "In reply to You: Lunch at noon?", exact: true });
    await quote.waitFor();

    // The quote goes to the replied message.
    await quote.click();
    await annPage.waitForFunction(() => document.activeElement?.querySelector(".text")?.textContent === "Lunch at noon?");

    // The replied message deleted: its quote says so.
    await deleteMessage(annPage, await message(annPage, "Lunch at noon?"));
    await benReply.getByRole("button", { name: `In reply to ${annName}: ${DELETED}`, exact: true }).waitFor();
    assert.deepEqual([...ann.problems, ...ben.problems], []);
  });

  test("a deletion, once confirmed, leaves a tombstone on both sides and in the list", async () => {
    await send(annPage, "Oops, wrong chat");
    await sent(annPage, "Oops, wrong chat");
    await message(benPage, "Oops, wrong chat");
    const before = "Noon works"; // the message above it

    // Cancel keeps it.
    await (await message(annPage, "Oops, wrong chat")).getByRole("button", { name: "Delete", exact: true }).click();
    const dialog = annPage.getByRole("dialog", { name: "Delete this message?" });
    await dialog.getByText("Oops, wrong chat", { exact: true }).waitFor();
    await dialog.getByRole("button", { name: "Cancel", exact: true }).click();
    await dialog.waitFor({ state: "hidden" });
    await message(annPage, "Oops, wrong chat");

    await deleteMessage(annPage, await message(annPage, "Oops, wrong chat"));
    for (const page of [annPage, benPage]) {
      const tombstone = tombstoneAfter(page, before);
      await tombstone.getByText(DELETED, { exact: true }).waitFor();
      assert.equal(await page.getByRole("log").getByText("Oops, wrong chat").count(), 0);
      assert.equal(await tombstone.getByRole("button").count(), 0, "a tombstone offers nothing");
    }
    // The list shows the newest message left, as the server keeps it.
    await conversationEntry(benPage, annName).getByText(before).waitFor();

    // As the server keeps it: after a reload too.
    await benPage.reload();
    await openEntry(benPage, annName);
    await tombstoneAfter(benPage, before).getByText(DELETED, { exact: true }).waitFor();
    assert.deepEqual([...ann.dialogs, ...ben.dialogs], [], "no browser dialog (window.confirm) was used");
    assert.deepEqual([...ann.problems, ...ben.problems], []);
  });
});

describe("changing messages in a group", () => {
  let database, server, people, pages;
  const names = { ann: uniqueUsername("ann"), ben: uniqueUsername("ben"), cleo: uniqueUsername("cleo"), dan: uniqueUsername("dan") };
  const group = "Climbing";

  before(async () => {
    database = freshDatabase();
    server = await startParley({ database });
    people = {};
    pages = {};
    for (const who of Object.keys(names)) {
      people[who] = await newPerson(browser());
      pages[who] = await signUp(people[who], server, names[who]);
    }
  });

  after(async () => {
    await server?.stop();
    database?.remove();
  });

  test("a member may delete only their own messages; the owner and admins anyone's", async () => {
    const { ann, ben, cleo } = pages;
    await createGroup(ann, group, [names.ben, names.cleo]);
    for (const page of [ben, cleo]) await openEntry(page, group);
    await send(ben, "Ben's route notes");
    await sent(ben, "Ben's route notes");
    await send(cleo, "Cleo's gear list");
    await sent(cleo, "Cleo's gear list");

    const deleteOn = async (page, text) => (await message(page, text)).getByRole("button", { name: "Delete", exact: true });
    // Cleo, a member: Delete on her own message only.
    await (await deleteOn(cleo, "Cleo's gear list")).waitFor();
    await (await message(cleo, "Ben's route notes")).getByRole("button", { name: "Reply", exact: true }).waitFor();
    assert.equal(await (await deleteOn(cleo, "Ben's route notes")).count(), 0);
    // Ann, the owner: on everyone's.
    await (await deleteOn(ann, "Ben's route notes")).waitFor();
    await (await deleteOn(ann, "Cleo's gear list")).waitFor();

    // Made an admin, Cleo is offered Delete on Ben's message at once.
    await ann.getByRole("button", { name: /^Members/ }).click();
    const dialog = ann.getByRole("dialog", { name: `Members of ${group}` });
    await dialog.getByRole("button", { name: `Make ${names.cleo} an admin`, exact: true }).click();
    await dialog.getByRole("button", { name: `Make ${names.cleo} a member`, exact: true }).waitFor();
    await dialog.getByRole("button", { name: "Close", exact: true }).click();
    await (await deleteOn(cleo, "Ben's route notes")).waitFor();

    // The owner deletes Ben's message: a tombstone for all three.
    await deleteMessage(ann, await message(ann, "Ben's route notes"));
    for (const page of [ann, ben, cleo]) {
      await page.getByRole("log").getByText(DELETED, { exact: true }).waitFor();
      assert.equal(await page.getByRole("log").getByText("Ben's route notes").count(), 0);
    }
    assert.deepEqual(Object.values(people).flatMap((p) => p.problems), []);
  });

  test("a reply to a message from before one joined quotes \"a message\"", async () => {
    const { ann, ben, dan } = pages;
    await send(ann, "Before Dan joined");
    await (await message(ben, "Before Dan joined")).getByRole("button", { name: "Reply", exact: true }).click();
    await send(ben, "Agreed");
    await (await message(ann, "Agreed")).getByRole("button", { name: "In reply to You: Before Dan joined", exact: true }).waitFor();

    await ann.getByRole("button", { name: /^Members/ }).click();
    const dialog = ann.getByRole("dialog", { name: `Members of ${group}` });
    await dialog.getByLabel("Add people", { exact: true }).fill(names.dan);
    await dialog.getByRole("button", { name: `Add ${names.dan}`, exact: true }).click();
    await dialog.getByText(names.dan, { exact: true }).waitFor();
    await dialog.getByRole("button", { name: "Close", exact: true }).click();
    await openEntry(dan, group);
    await send(ben, "Welcome, Dan");
    await message(dan, "Welcome, Dan");
    // Dan reads the log from his joining on: the reply is not there, nor what it answered.
    assert.equal(await dan.getByRole("log").getByText("Agreed").count(), 0);
    // A reply after he joined, to the message he cannot see: quoted as "a message", not a link.
    await (await message(ben, "Before Dan joined")).getByRole("button", { name: "Reply", exact: true }).click();
    await send(ben, "Still agreed");
    const reply = await message(dan, "Still agreed");
    await reply.getByText("In reply to a message").waitFor();
    assert.equal(await reply.getByRole("button", { name: /^In reply to/ }).count(), 0);
    assert.deepEqual(Object.values(people).flatMap((p) => p.problems), []);
  });
});

describe("a change the server refuses", () => {
  let database, server;

  before(async () => {
    database = freshDatabase();
    // Edits are allowed for one second after sending: long enough to send, short to outlast.
    server = await startParley({ database, args: ["--edit-window", "1s"] });
  });

  after(async () => {
    await server?.stop();
    database?.remove();
  });

  test("shows as a notice, and the edit stays open with its text", async () => {
    const [dora, eli] = [await newPerson(browser()), await newPerson(browser())];
    const [doraName, eliName] = [uniqueUsername("dora"), uniqueUsername("eli")];
    const doraPage = await signUp(dora, server, doraName);
    await signUp(eli, server, eliName);
    await openConversation(doraPage, eliName);
    await send(doraPage, "Buy chalk");
    await sent(doraPage, "Buy chalk");
    // Nothing to wait for but the time: the window ends on the server's clock.
    await doraPage.waitForTimeout(1500);
    await edit(doraPage, await message(doraPage, "Buy chalk"), "Buy chalk and tape");
    await doraPage.getByRole("status").filter({ hasText: /^Could not edit the message: .*time to edit/ }).waitFor();
    const box = doraPage.getByRole("textbox", { name: "Edit message", exact: true });
    assert.equal(await box.inputValue(), "Buy chalk and tape");
    await box.press("Escape");
    await message(doraPage, "Buy chalk");
    assert.deepEqual([...dora.problems, ...eli.problems], []);
    await dora.context.close();
    await eli.context.close();
  });
});
