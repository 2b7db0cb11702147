// Notifications in the browser: the bell in the header counts unread notifications and
// rises live, over the person's own topic, when someone answers their question; the inbox
// page lists it under today and marks it read.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { launchBrowser, screenshot } from "./lib/browser.mjs";
import { apiOf, signUpByAPI, signUpInBrowser } from "./lib/people.mjs";
import { startServer } from "./lib/server.mjs";

let server;
let browser;
let api;

describe("notifications", () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    api = apiOf(server.baseURL);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("the unread count in the header rises when someone answers my question", async () => {
    const asker = await signUpInBrowser(browser, server.baseURL, "bellasker");
    const answerer = await signUpByAPI(api, "bellanswerer");
    // The asker's token, for the API: a session cookie is what the page uses.
    const login = await api("POST", "/auth/login", { login: "bellasker", password: "correct horse battery staple" });
    const q = await api("POST", "/questions", {
      title: "How do you keep a class notebook going all year?",
      body: "We start strong in September and it fades by November. What keeps yours alive?",
      tags: ["routines"],
    }, login.token);

    const page = asker.page;
    await page.goto("/");
    const bell = page.locator("a.bell");
    await bell.waitFor();
    const count = bell.locator("[data-bell-count]");
    assert.equal(await count.isHidden(), true, "no unread notifications yet");
    await page.locator("a.bell[data-live='subscribed']").waitFor(); // its socket follows user:{id}

    await api("POST", `/questions/${q.id}/answers`, {
      body: "A two-minute notebook check at the door every Friday, with one sticker. It sounds silly and it works.",
    }, answerer.token);
    await count.waitFor({ state: "visible", timeout: 10_000 });
    assert.match(await count.innerText(), /^1/);
    assert.equal(await bell.getAttribute("data-unread"), "1");
    await screenshot(page, "notifications-bell");

    await Promise.all([page.waitForURL("**/notifications"), bell.click()]);
    const notice = page.locator(".notice").first();
    assert.match(await notice.innerText(), /Teacher bellanswerer answered your question/);
    assert.match(await page.locator(".inbox-day").first().innerText(), /Today/);
    await Promise.all([page.waitForURL("**/notifications?done=read"), page.getByRole("button", { name: "Mark all read" }).click()]);
    assert.equal(await page.locator("a.bell [data-bell-count]").isHidden(), true, "read: the count is gone");
    assert.deepEqual(asker.problems, []);
  });
});
