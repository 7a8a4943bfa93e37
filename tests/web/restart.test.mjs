// The server goes away and comes back (same port, same database): the page says so, reconnects
// by itself, fills in what was said meanwhile (while one person was also offline), and sending
// works again. And a group open across a reconnection: its newest page, fetched again, brings
// back the system entries already shown, which must merge like the messages.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import {
  createGroup, freshDatabase, launchBrowser, message, newPerson, openConversation, openEntry, send, sent, signUp,
  startParley, uniqueUsername,
} from "./helpers.mjs";

let database, server, browser;

before(async () => {
  database = freshDatabase();
  server = await startParley({ database });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  database?.remove();
});

// A person in a browser context of its own, signed up as a fresh username: {person, name, page}.
async function signedUp(label) {
  const person = await newPerson(browser);
  const name = uniqueUsername(label);
  return { person, name, page: await signUp(person, server, name) };
}

test("after a server restart the page reconnects and sending works again", async () => {
  const { person: dora, name: doraName, page: doraPage } = await signedUp("dora");
  const { name: emilName, page: emilPage } = await signedUp("emil");
  await openConversation(doraPage, emilName);
  await openConversation(emilPage, doraName);
  await send(doraPage, "before the restart");
  await sent(doraPage, "before the restart");
  await message(emilPage, "before the restart");

  // Dora's network goes too, so that she is still away when Emil writes.
  await dora.context.setOffline(true);
  await doraPage.getByRole("status").filter({ hasText: /^Offline$/ }).waitFor();
  const port = server.port;
  await server.stop();
  await emilPage.getByRole("status").filter({ hasText: /^Reconnecting…$/ }).waitFor();

  server = await startParley({ database, port });
  await emilPage.getByRole("status").filter({ hasText: /^Connected$/ }).waitFor({ timeout: 20000 });
  await send(emilPage, "did you see the outage?");
  await sent(emilPage, "did you see the outage?");

  // Back online, Dora's page reconnects and fetches what she missed.
  await dora.context.setOffline(false);
  await doraPage.getByRole("status").filter({ hasText: /^Connected$/ }).waitFor({ timeout: 20000 });
  await message(doraPage, "did you see the outage?");

  await send(doraPage, "yes, and we are back");
  await sent(doraPage, "yes, and we are back");
  await message(emilPage, "yes, and we are back");
});

test("a group open across a reconnection shows what was said meanwhile", async () => {
  const { person: fay, page: fayPage } = await signedUp("fay");
  const { person: gus, name: gusName, page: gusPage } = await signedUp("gus");
  await createGroup(fayPage, "Reconnect club", [gusName]);
  await send(fayPage, "first in the group");
  await sent(fayPage, "first in the group");
  await openEntry(gusPage, "Reconnect club");
  await message(gusPage, "first in the group");

  await fay.context.setOffline(true);
  await fayPage.getByRole("status").filter({ hasText: /^Offline$/ }).waitFor();
  await send(gusPage, "said while Fay was away");
  await sent(gusPage, "said while Fay was away");
  await fay.context.setOffline(false);
  await fayPage.getByRole("status").filter({ hasText: /^Connected$/ }).waitFor({ timeout: 20000 });
  await message(fayPage, "said while Fay was away");
  await send(fayPage, "and I am back");
  await message(gusPage, "and I am back");
  assert.deepEqual([...fay.problems, ...gus.problems], []);
});
