// Collaboratives in the browser: a teacher starts a public one through the form, a second
// teacher finds it in the directory and joins; a private one shows a non-member its name,
// description, leads and a "Request to join" button, and answers 404 for its insides; the
// lead approves the request and the newcomer sees inside.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { launchBrowser, screenshot } from "./lib/browser.mjs";
import { apiOf, signUpInBrowser } from "./lib/people.mjs";
import { startServer } from "./lib/server.mjs";

let server;
let browser;
const people = {};

// clickAndWait clicks and waits for the page the click navigates to.
async function clickAndWait(page, locator) {
  await Promise.all([page.waitForEvent("framenavigated", { predicate: (f) => f === page.mainFrame() }), locator.click()]);
  await page.waitForLoadState("load");
}

describe("collaboratives: start one, join one, and a private one's privacy", () => {
  before(async () => {
    server = await startServer({ logName: "server-collaboratives.log" });
    browser = await launchBrowser();
    for (const name of ["lead", "teacher", "outsider"]) {
      people[name] = await signUpInBrowser(browser, server.baseURL, `c${name}`);
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

  test("a teacher starts a public collaborative and leads it", async () => {
    const { page } = people.lead;
    await page.goto("/c");
    await clickAndWait(page, page.getByRole("link", { name: "Start a collaborative" }));
    assert.equal(new URL(page.url()).pathname, "/c/new");
    // A bad address is refused with the reason beside the field, and what was typed stays.
    await page.fill("#f-name", "Computational thinking framework");
    await page.fill("#f-slug", "CT Framework");
    await page.fill("#f-description", "Writing a **K-12 framework** for computational thinking.");
    await clickAndWait(page, page.getByRole("button", { name: "Start the collaborative" }));
    assert.match(await page.locator("#f-slug-error").textContent(), /lower-case letters, digits and hyphens/);
    assert.equal(await page.inputValue("#f-name"), "Computational thinking framework");
    await page.fill("#f-slug", "ct-framework");
    await clickAndWait(page, page.getByRole("button", { name: "Start the collaborative" }));
    assert.equal(new URL(page.url()).pathname, "/c/ct-framework");
    assert.equal(await page.locator("h1").textContent(), "Computational thinking framework");
    assert.match(await page.locator(".flash").textContent(), /you are its lead/);
    assert.equal(await page.locator(".collab-head .pill-mod").textContent(), "You lead it");
    assert.match(await page.locator(".collab-about strong").textContent(), /K-12 framework/);
    await screenshot(page, "collab-01-started");
  });

  test("a second teacher finds it in the directory and joins at once", async () => {
    const { page } = people.teacher;
    await page.goto("/c?q=framework");
    await clickAndWait(page, page.getByRole("link", { name: "Computational thinking framework" }));
    await clickAndWait(page, page.getByRole("button", { name: "Join", exact: true }));
    assert.match(await page.locator(".flash").textContent(), /You are a member now/);
    assert.match(await page.locator("#members").textContent(), /Teacher cteacher/);
    assert.equal(await page.locator("#members-heading .count").textContent(), "2");
    await page.goto("/c?mine=1");
    assert.equal(await page.locator(".dir-card h3").textContent(), "Computational thinking framework");
    await screenshot(page, "collab-02-joined");
  });

  test("a private one: a non-member sees its name and asks to join; its insides are 404", async () => {
    const api = apiOf(server.baseURL);
    const lead = people.lead;
    await lead.page.goto("/c/new");
    await lead.page.fill("#f-name", "ELL resources review");
    await lead.page.fill("#f-slug", "ell-resources");
    await lead.page.fill("#f-description", "Reviewing resources for English-language learners.");
    await lead.page.check("input[name=visibility][value=private]");
    await clickAndWait(lead.page, lead.page.getByRole("button", { name: "Start the collaborative" }));
    assert.equal(new URL(lead.page.url()).pathname, "/c/ell-resources");

    const { page, context } = people.outsider;
    await page.goto("/c/ell-resources");
    assert.equal(await page.locator("h1").textContent(), "ELL resources review");
    assert.match(await page.locator(".collab-about").textContent(), /English-language learners/);
    assert.match(await page.locator("main").textContent(), /Led by Teacher clead/);
    assert.equal(await page.locator("#members").count(), 0, "a non-member sees the members");
    for (const path of ["/members", "/requests", "/export"]) {
      const res = await context.request.get(`/api/v1/collaboratives/ell-resources${path}`);
      assert.equal(res.status(), 404, `${path} answers a non-member ${res.status()}`);
    }
    const missing = await context.request.get("/api/v1/collaboratives/no-such-group/members");
    assert.equal(missing.status(), 404);
    await screenshot(page, "collab-03-private-outside");
    await clickAndWait(page, page.getByRole("button", { name: "Request to join" }));
    assert.match(await page.locator(".flash").textContent(), /a lead will answer/);

    // The lead approves; the newcomer sees inside.
    await lead.page.goto("/c/ell-resources");
    const request = lead.page.locator("#requests li", { hasText: "Teacher coutsider" });
    await clickAndWait(lead.page, request.getByRole("button", { name: /^Approve/ }));
    assert.match(await lead.page.locator(".flash").textContent(), /request is approved/);
    await page.goto("/c/ell-resources");
    assert.match(await page.locator("#members").textContent(), /Teacher coutsider/);
    const inside = await api("GET", "/collaboratives/ell-resources/members", null, null).catch((e) => e.message);
    assert.match(String(inside), /404/, "anonymous readers still get 404 for its members");
    await screenshot(page, "collab-04-private-inside");
  });
});
