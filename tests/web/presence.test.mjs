// Presence in the web client, in real headless Chromium with three people against a parley
// whose grace after a last socket closed is 1 s: Ben sees Ann online (a dot in the list and the
// people search, "online" under her name in their conversation's header), "last seen just now"
// once she has gone, online again when she is back; Cid, who shares no conversation with Ben,
// shows nothing; and Ann's "Appear offline" hides her from Ben (no last seen either), survives
// her reload, and shows her again when she turns it off.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  browserPerFile, connectedState, conversationEntry, conversationRegion, createGroup, freshDatabase,
  message, newPerson, openConversation, openEntry, personButton, send, sent, signUp, startParley, uniqueUsername,
} from "./helpers.mjs";

const browser = browserPerFile();

describe("presence", () => {
  let database, server, ann, ben, cid, annPage, benPage;
  const annName = uniqueUsername("ann");
  const benName = uniqueUsername("ben");
  const cidName = uniqueUsername("cid");
  // A leave, a return and a toggle reach others after the 1 s grace and within the server's
  // one push per 3 s per user.
  const PUSHED = { timeout: 10000 };

  before(async () => {
    database = freshDatabase();
    server = await startParley({ database, args: ["--presence-grace", "1s"] });
    [ann, ben, cid] = [await newPerson(browser()), await newPerson(browser()), await newPerson(browser())];
    annPage = await signUp(ann, server, annName);
    benPage = await signUp(ben, server, benName);
    await signUp(cid, server, cidName); // online all along, and a stranger to Ben
  });

  after(async () => {
    await server?.stop();
    database?.remove();
  });

  const presenceLine = (page, name) => conversationRegion(page, name).getByText(/^(online|last seen)/);
  const checkbox = (page) => page.getByRole("checkbox", { name: "Appear offline", exact: true });

  test("the people search shows a contact online and nothing of a stranger", async () => {
    // A group makes Ann and Ben contacts; the list asks nothing for groups, so both of the
    // people found below are asked in one get_presence: once Ann's dot is there, Cid's answer is in.
    await createGroup(annPage, "Book club", [benName]);
    await conversationEntry(benPage, "Book club").waitFor();
    await benPage.getByLabel("Find people", { exact: true }).fill("_");
    const annButton = personButton(benPage, annName);
    await annButton.locator(".presence").waitFor({ state: "visible" });
    assert.equal(await annButton.getAttribute("aria-label"), `${annName}, online`, "the button's name says it");
    const cidButton = personButton(benPage, cidName);
    assert.equal(await cidButton.locator(".presence").isVisible(), false, "no dot for a stranger");
    assert.equal(await cidButton.getAttribute("aria-label"), null, "named by the name alone");

    await cidButton.click();
    await benPage.getByRole("heading", { name: cidName, exact: true }).waitFor();
    assert.equal(await presenceLine(benPage, cidName).count(), 0, "no presence under a stranger's name");
    assert.deepEqual([...ann.problems, ...ben.problems, ...cid.problems], []);
  });

  test("Ben sees Ann online in the conversation list and under her name", async () => {
    await openConversation(annPage, benName);
    await send(annPage, "Hi Ben");
    await sent(annPage, "Hi Ben");

    const entry = conversationEntry(benPage, annName);
    await benPage.getByLabel("Find people", { exact: true }).fill("");
    await entry.locator(".presence").waitFor({ state: "visible" });
    await conversationEntry(benPage, new RegExp(`^${annName}(, \\d+ unread)?, online$`)).waitFor();
    await openEntry(benPage, annName);
    await message(benPage, "Hi Ben");
    await conversationRegion(benPage, annName).getByText("online", { exact: true }).waitFor();
    assert.deepEqual([...ann.problems, ...ben.problems], []);
  });

  test("Ann leaves: after the grace Ben sees her last seen just now; back, she is online", async () => {
    await annPage.close();
    const region = conversationRegion(benPage, annName);
    await region.getByText("last seen just now", { exact: true }).waitFor(PUSHED);
    assert.equal(await region.getByText("online", { exact: true }).count(), 0);
    const entry = conversationEntry(benPage, annName);
    assert.equal(await entry.locator(".presence").count(), 0, "no dot in the list");
    assert.doesNotMatch(await entry.getAttribute("aria-label"), /online/);

    annPage = await ann.newPage();
    await annPage.goto(server.url); // her session is kept: straight back into the chat
    await connectedState(annPage);
    await region.getByText("online", { exact: true }).waitFor(PUSHED);
    await entry.locator(".presence").waitFor({ state: "visible" });
    assert.equal(await region.getByText(/^last seen/).count(), 0);
    assert.deepEqual([...ann.problems, ...ben.problems], []);
  });

  test("Ann appears offline: Ben sees her offline with no last seen, even after her reload; off again, online", async () => {
    const box = checkbox(annPage);
    await box.waitFor();
    await annPage.waitForFunction(() => !document.getElementById("appear-offline").disabled); // read back from the server
    assert.equal(await box.isChecked(), false);
    assert.equal(await box.getAttribute("aria-describedby"), "appear-offline-hint");

    await box.check();
    await annPage.waitForFunction(() => !document.getElementById("appear-offline").disabled); // the server's answer
    assert.equal(await box.isChecked(), true);
    const region = conversationRegion(benPage, annName);
    await region.getByText("online", { exact: true }).waitFor({ state: "detached", ...PUSHED });
    assert.equal(await presenceLine(benPage, annName).count(), 0, "no last seen while she appears offline");
    assert.equal(await conversationEntry(benPage, annName).locator(".presence").count(), 0);

    // She still talks as usual.
    await openEntry(annPage, benName);
    await send(annPage, "Still here");
    await message(benPage, "Still here");

    // The setting is the server's: a reload reads it back.
    await annPage.reload();
    await connectedState(annPage);
    await annPage.waitForFunction(() => !document.getElementById("appear-offline").disabled);
    assert.equal(await checkbox(annPage).isChecked(), true);
    assert.equal(await presenceLine(benPage, annName).count(), 0);

    await checkbox(annPage).uncheck();
    await annPage.waitForFunction(() => !document.getElementById("appear-offline").disabled);
    assert.equal(await checkbox(annPage).isChecked(), false);
    await region.getByText("online", { exact: true }).waitFor(PUSHED);
    await conversationEntry(benPage, annName).locator(".presence").waitFor({ state: "visible" });
    assert.deepEqual([...ann.problems, ...ben.problems], []);
  });
});
