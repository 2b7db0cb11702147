// Search in a real browser: "/" jumps to the header's search box, a search from it lands on
// /search with marked results, a facet narrows them, a result opens its question; and the
// ask page lists similar questions while a title is typed.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { launchBrowser, newSession, screenshot } from "./lib/browser.mjs";
import { apiOf, signUpByAPI } from "./lib/people.mjs";
import { startServer } from "./lib/server.mjs";

let server;
const api = (...args) => apiOf(server.baseURL)(...args);
const signUp = (username) => signUpByAPI(api, username);
let browser;
const site = {};

describe("search in the browser", () => {
  before(async () => {
    server = await startServer({ logName: "server-search.log", env: { STAFFROOM_PRIVILEGES: "open" } });
    browser = await launchBrowser();
    site.admin = await signUp("admin");
    site.asker = await signUp("asker");
    site.rubric = await api("POST", "/questions", {
      title: "Which rubric works for persuasive essays in grade 8?",
      body: "We grade claims, evidence and reasoning separately. Does one rubric for the whole unit work?",
      tags: ["grading", "writing"],
    }, site.asker.token);
    site.labs = await api("POST", "/questions", {
      title: "How do you keep a rubric for lab reports short?",
      body: "Our lab report rubric runs to three pages and nobody reads it.",
      tags: ["science"],
    }, site.asker.token);
    await api("POST", `/questions/${site.labs.id}/answers`, { body: "One page: a checklist for the method, a rubric row for the analysis." }, site.admin.token);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("search from the header box, narrow by a facet, open a result", async () => {
    const context = await newSession(browser, server.baseURL);
    const page = await context.newPage();
    const problems = [];
    page.on("pageerror", (err) => problems.push(err.message));
    await page.goto("/");
    await page.locator("main").click({ position: { x: 5, y: 5 } }); // somewhere that is not a field
    await page.keyboard.press("/");
    assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), "site-search", '"/" focuses the search box');
    await page.keyboard.type("rubric");
    await Promise.all([page.waitForURL("**/search?q=rubric"), page.keyboard.press("Enter")]);
    const results = page.locator(".search-results .question-summary");
    assert.equal(await results.count(), 2);
    assert.match(await page.locator(".result-count").textContent(), /2 results/);
    assert.equal(await page.locator(".search-results mark").first().textContent(), "rubric");

    // The [writing] facet keeps only the question tagged writing.
    await Promise.all([page.waitForURL(/q=rubric\+%5Bwriting%5D/), page.locator(".facet-list a", { hasText: "[writing]" }).click()]);
    assert.equal(await results.count(), 1);
    assert.match(await page.locator(".active-filters").textContent(), /\[writing\]/);
    await screenshot(page, "search-facet");

    await Promise.all([page.waitForURL(`**/questions/${site.rubric.id}/**`), results.first().locator(".result-title a").click()]);
    assert.match(await page.locator("h1").first().textContent(), /persuasive essays/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a match in an answer shows the answer's words and opens at the answer", async () => {
    const context = await newSession(browser, server.baseURL);
    const page = await context.newPage();
    await page.goto("/search?q=checklist+analysis");
    const hit = page.locator(".search-results .question-summary");
    assert.equal(await hit.count(), 1);
    assert.match(await hit.locator(".snippet").textContent(), /From an answer:.*checklist/);
    await Promise.all([page.waitForURL(/#answer-\d+$/), hit.locator(".result-title a").click()]);
    await context.close();
  });

  test("the ask page lists similar questions as the title is typed", async () => {
    const context = await newSession(browser, server.baseURL);
    const page = await context.newPage();
    await page.goto("/login");
    await page.fill("#f-login", site.asker.username);
    await page.fill("#f-password", "correct horse battery staple");
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.locator("form[action='/login'] button[type=submit]").click()]);
    await page.goto("/questions/ask");
    const panel = page.locator(".similar-questions");
    assert.equal(await panel.isVisible(), false);
    await page.locator("#f-title").pressSequentially("A rubric for persuasive writing?", { delay: 10 });
    await panel.locator("a", { hasText: "persuasive essays" }).waitFor();
    await screenshot(page, "search-similar");
    await context.close();
  });
});
