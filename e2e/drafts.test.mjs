// Drafts: text typed into a question, answer or edit survives a reload or a closed tab (kept
// in this browser until the form is sent), and leaving a page with unsent text asks first.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { launchBrowser, newSession, screenshot } from "./lib/browser.mjs";
import { startServer } from "./lib/server.mjs";

let server;
let browser;
let context;
let page;

describe("drafts are kept until they are sent", () => {
  before(async () => {
    server = await startServer({ logName: "server-drafts.log", env: { STAFFROOM_PRIVILEGES: "open" } });
    browser = await launchBrowser();
    context = await newSession(browser, server.baseURL);
    page = await context.newPage();
    await page.goto("/signup");
    await page.fill("#f-username", "drafter");
    await page.fill("#f-display_name", "Teacher Drafter");
    await page.fill("#f-email", "drafter@district.example.org");
    await page.fill("#f-password", "correct horse battery staple");
    await page.fill("#f-password_confirm", "correct horse battery staple");
    await Promise.all([page.waitForURL("**/?done=welcome"), page.getByRole("button", { name: "Create account" }).click()]);
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  test("a question typed and reloaded comes back, and can be discarded", async () => {
    await page.goto("/questions/ask");
    await page.fill("#f-title", "How do you schedule reassessments without losing class time?");
    await page.fill("#f-body", "We allow one reassessment per target.");
    await page.waitForTimeout(400); // the draft is saved 300 ms after the last key
    page.once("dialog", (d) => d.accept()); // leaving with unsent text asks first
    await page.reload();
    assert.equal(await page.inputValue("#f-title"), "How do you schedule reassessments without losing class time?");
    assert.equal(await page.inputValue("#f-body"), "We allow one reassessment per target.");
    await page.locator(".draft-note").waitFor();
    await screenshot(page, "drafts-01-restored");
    await page.getByRole("button", { name: "Discard it" }).click();
    assert.equal(await page.inputValue("#f-title"), "");
    await page.reload();
    assert.equal(await page.inputValue("#f-title"), "", "a discarded draft stays gone");
  });

  test("leaving a page with unsent text asks first", async () => {
    await page.goto("/questions/ask");
    await page.fill("#f-body", "Half a thought");
    let asked = null;
    page.once("dialog", async (d) => {
      asked = d.type();
      await d.dismiss(); // stay
    });
    await page.goto("/tags").catch(() => {});
    assert.equal(asked, "beforeunload");
    await page.fill("#f-body", "");
    await page.waitForTimeout(400);
  });

  test("a sent question leaves no draft behind", async () => {
    await page.goto("/questions/ask");
    await page.fill("#f-title", "How do you grade group projects fairly in grade 8?");
    await page.fill("#f-body", "Each student gets a score per target, from their own evidence.");
    await page.fill("#f-tags", "grading");
    await Promise.all([page.waitForURL(/\/questions\/\d+\//), page.getByRole("button", { name: "Post your question" }).click()]);
    await page.goto("/questions/ask");
    assert.equal(await page.inputValue("#f-title"), "");
    assert.equal(await page.locator(".draft-note").count(), 0);
  });
});
