// Typing indicators in the web client, in real headless Chromium with two people: while Ann
// types, Ben's open conversation says so; it goes away when her message arrives, when she
// empties the box, and at once when her page closes (no indicator left by a dropped tab).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  browserPerFile, freshDatabase, message, newPerson, openConversation, send, sent, signUp, startParley, uniqueUsername,
} from "./helpers.mjs";

const browser = browserPerFile();

describe("typing", () => {
  let database, server, ann, ben, annPage, benPage;
  const annName = uniqueUsername("ann");
  const benName = uniqueUsername("ben");

  before(async () => {
    database = freshDatabase();
    server = await startParley({ database });
    [ann, ben] = [await newPerson(browser()), await newPerson(browser())];
    annPage = await signUp(ann, server, annName);
    benPage = await signUp(ben, server, benName);
  });

  after(async () => {
    await server?.stop();
    database?.remove();
  });

  const indicator = (page) => page.locator("#typing");
  const typingLine = `${annName} is typing…`;

  test("Ben sees Ann typing until her message arrives or she empties the box", async () => {
    await openConversation(annPage, benName);
    await send(annPage, "Hi Ben");
    await sent(annPage, "Hi Ben");
    await openConversation(benPage, annName);
    await message(benPage, "Hi Ben");
    assert.equal(await indicator(benPage).isVisible(), false);

    const box = annPage.getByLabel("Message", { exact: true });
    await box.pressSequentially("Are you free", { delay: 20 });
    await benPage.getByText(typingLine, { exact: true }).waitFor();
    assert.equal(await indicator(benPage).getAttribute("aria-live"), "polite");
    assert.equal(await indicator(annPage).isVisible(), false, "nobody is shown typing to herself");

    await box.press("Enter");
    await message(benPage, "Are you free");
    await indicator(benPage).waitFor({ state: "hidden" });

    await box.pressSequentially("Actually", { delay: 20 });
    await benPage.getByText(typingLine, { exact: true }).waitFor();
    await box.fill("");
    await box.dispatchEvent("input");
    await indicator(benPage).waitFor({ state: "hidden", timeout: 3000 });
    assert.deepEqual([...ann.problems, ...ben.problems], []);
  });

  test("Ann's page closing ends the indicator at once", async () => {
    const box = annPage.getByLabel("Message", { exact: true });
    await box.pressSequentially("One more thing", { delay: 20 });
    await benPage.getByText(typingLine, { exact: true }).waitFor();
    const closed = Date.now();
    await annPage.close();
    await indicator(benPage).waitFor({ state: "hidden", timeout: 4000 });
    assert.ok(Date.now() - closed < 4000, "ended by the close, not by the server's 6 s timeout");
    assert.deepEqual(ben.problems, []);
  });
});
