// Flags and the review queue, end to end in a real browser: three people flag a post through
// the flag dialog under it (a <details> form, no script needed) and it disappears for a
// fourth; its author still sees it, marked; a moderator restores it from the queue on the
// moderation dashboard, and the fourth reader sees it again.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { launchBrowser, screenshot } from "./lib/browser.mjs";
import { apiOf, signUpByAPI, signUpInBrowser } from "./lib/people.mjs";
import { startServer } from "./lib/server.mjs";

let server;
let browser;
const people = {};

// submitAndWait clicks a button and waits for the page the POST redirected to.
async function submitAndWait(page, locator) {
  await Promise.all([page.waitForEvent("framenavigated", { predicate: (f) => f === page.mainFrame() }), locator.click()]);
  await page.waitForLoadState("load");
}

describe("flags and the review queue in the browser", () => {
  before(async () => {
    // Open privileges: new accounts may flag at once.
    server = await startServer({ logName: "server-flags.log", env: { STAFFROOM_PRIVILEGES: "open" } });
    browser = await launchBrowser();
    // The first account runs the site: an admin, so a moderator.
    people.moderator = await signUpInBrowser(browser, server.baseURL, "moderator");
    for (const name of ["flagger1", "flagger2", "flagger3", "reader", "writer"]) {
      people[name] = await signUpInBrowser(browser, server.baseURL, name);
    }
  });
  after(async () => {
    for (const p of Object.values(people)) {
      assert.deepEqual(p.problems, [], "script errors on the pages");
      await p.context.close();
    }
    await browser?.close();
    await server?.stop();
  });

  test("three flags hide a post for a fourth reader; a moderator restores it from the queue", async () => {
    const api = apiOf(server.baseURL);
    const writer = await signUpByAPI(api, "spamwriter");
    const q = await api("POST", "/questions", {
      title: "Cheap essay writing for your whole class, today only",
      body: "Visit our site for essays written for you, any subject, delivered overnight.",
      tags: ["writing"],
    }, writer.token);

    const reader = people.reader.page;
    let res = await reader.goto(`/questions/${q.id}`);
    assert.equal(res.status(), 200);

    for (const name of ["flagger1", "flagger2", "flagger3"]) {
      const page = people[name].page;
      await page.goto(`/questions/${q.id}`);
      const dialog = page.locator(`#post-${q.id} details.flag-dialog`);
      await dialog.locator("summary").click();
      await dialog.getByLabel("spam").check();
      await submitAndWait(page, dialog.getByRole("button", { name: "Flag" }));
      await page.getByText("your flag is with the moderators").waitFor();
    }

    res = await reader.goto(`/questions/${q.id}`);
    assert.equal(res.status(), 404, "the fourth reader still sees the flagged post");

    // Its author still sees it, marked.
    const mine = await fetch(`${server.baseURL}/api/v1/questions/${q.id}`, { headers: { Authorization: `Bearer ${writer.token}` } });
    assert.equal(mine.status, 200);
    assert.equal((await mine.json()).hidden, true);

    // The moderator's header counts the open items; the flags queue holds this one.
    const mod = people.moderator.page;
    await mod.goto("/");
    await mod.locator('header a[href="/moderation"] .count').waitFor();
    await mod.goto("/moderation?kind=flags");
    const item = mod.locator("li.review-item", { hasText: "Cheap essay writing" });
    await item.getByText("hidden pending review").waitFor();
    await submitAndWait(mod, item.getByRole("button", { name: "Claim" }));
    const claimed = mod.locator("li.review-item", { hasText: "Cheap essay writing" });
    await claimed.getByText("claimed by you").waitFor();
    await claimed.getByLabel("Restore (decline the flags)").check();
    await claimed.getByLabel("Reason").fill("An advertisement, but the author may edit it");
    await submitAndWait(mod, claimed.getByRole("button", { name: "Resolve" }));
    await mod.getByText("the audit log has it").waitFor();
    await mod.locator(".audit-list").getByText("review.restore").waitFor();
    await screenshot(mod, "flags-dashboard");

    res = await reader.goto(`/questions/${q.id}`);
    assert.equal(res.status(), 200, "the restored post is back for everyone");

    // The flaggers see the outcome.
    const flagger = people.flagger1.page;
    await flagger.goto("/flags");
    await flagger.locator("td .pill", { hasText: "declined" }).waitFor();
  });
});
