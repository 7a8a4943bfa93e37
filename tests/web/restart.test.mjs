// The server goes away and comes back (same port, same database): the page says so, reconnects
// by itself, fills in what was said meanwhile (while one person was also offline), and sending
// works again.
import { after, before, test } from "node:test";

import {
  freshDatabase, launchBrowser, message, newPerson, openConversation, send, sent, signUp, startParley, uniqueUsername,
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

test("after a server restart the page reconnects and sending works again", async () => {
  const dora = await newPerson(browser);
  const emil = await newPerson(browser);
  const doraName = uniqueUsername("dora");
  const emilName = uniqueUsername("emil");
  const doraPage = await signUp(dora, server, doraName);
  const emilPage = await signUp(emil, server, emilName);
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
