// Catching up in the web client (docs/api.md "Catching up"), in real headless Chromium: a
// conversation open while its person is offline shows, once back, everything that happened
// meanwhile — a new page's worth of messages, and the edit and deletion of messages already on
// screen above them (which the newest page alone would not bring: it starts over).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import {
  browserPerFile, createGroup, deleteMessage, editMessage, freshDatabase, message, newPerson, openEntry, send, sent, signUp, startParley,
  uniqueUsername,
} from "./helpers.mjs";

const browser = browserPerFile();
let database, server;

before(async () => {
  database = freshDatabase();
  server = await startParley({ database });
});

after(async () => {
  await server?.stop();
  database?.remove();
});

test("back online, an open conversation shows what was missed: new messages, edits and deletions above them", async () => {
  const fay = await newPerson(browser());
  const gus = await newPerson(browser());
  const gusName = uniqueUsername("gus");
  const fayPage = await signUp(fay, server, uniqueUsername("fay"));
  const gusPage = await signUp(gus, server, gusName);
  await createGroup(fayPage, "Catch-up club", [gusName]);
  await openEntry(gusPage, "Catch-up club");
  await send(gusPage, "an old one");
  await sent(gusPage, "an old one");
  await send(gusPage, "to be taken back");
  await sent(gusPage, "to be taken back");
  await message(fayPage, "to be taken back");

  await fay.context.setOffline(true);
  await fayPage.getByRole("status").filter({ hasText: /^Offline$/ }).waitFor();
  await editMessage(gusPage, await message(gusPage, "an old one"), "an old one, edited");
  await message(gusPage, "an old one, edited");
  await deleteMessage(gusPage, await message(gusPage, "to be taken back"));
  await gusPage.getByRole("log").getByText("This message was deleted", { exact: true }).waitFor();
  // More than the newest page (50) holds, so that it alone would leave the edit unseen.
  for (let i = 1; i <= 55; i++) await send(gusPage, `missed ${i}`);
  await sent(gusPage, "missed 55");

  await fay.context.setOffline(false);
  await fayPage.getByRole("status").filter({ hasText: /^Connected$/ }).waitFor({ timeout: 20000 });
  await message(fayPage, "missed 55");
  await message(fayPage, "an old one, edited");
  const log = fayPage.getByRole("log");
  assert.equal(await log.getByText("an old one", { exact: true }).count(), 0, "the old text is gone");
  assert.equal(await log.getByText("to be taken back", { exact: true }).count(), 0, "the deleted text is gone");
  assert.equal(await log.getByText("This message was deleted", { exact: true }).count(), 1);
  const texts = await log.locator("li.message .text").allInnerTexts();
  const missed = texts.filter((t) => t.startsWith("missed "));
  assert.deepEqual(missed, Array.from({ length: 55 }, (_, i) => `missed ${i + 1}`), "each once, in order");
  assert.deepEqual([...fay.problems, ...gus.problems], []);
});
