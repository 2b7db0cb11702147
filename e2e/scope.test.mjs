// A private collaborative's question in a real browser: a member asks it from the ask
// page (the collaborative chosen there), its page names the collaborative; a non-member
// and an anonymous reader get the same 404 as for a missing question, and find it neither
// in search nor on the home page.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";

import { launchBrowser, newSession, screenshot } from "./lib/browser.mjs";
import { apiOf, signUpByAPI, signUpInBrowser } from "./lib/people.mjs";
import { startServer } from "./lib/server.mjs";

const run = promisify(execFile);
let server;
const api = (...args) => apiOf(server.baseURL)(...args);
let browser;
const site = {};

// makePrivateGroup makes a private collaborative led by lead with member in it: through
// the API where this build has the collaboratives' endpoints (DESIGN.md's
// POST /api/v1/collaboratives and .../members), else straight into the database (a build
// of the scoped questions alone, before the collaboratives' pages are merged).
async function makePrivateGroup(lead, member) {
  try {
    await api("POST", "/collaboratives", {
      slug: "ell-resources", name: "ELL resources review", description: "Reviewing resources for English learners.", visibility: "private",
    }, lead.token);
    await api("POST", "/collaboratives/ell-resources/members", { user_id: member.id, role: "member" }, lead.token);
    return;
  } catch (err) {
    if (!/ 404 /.test(err.message) && !/ 405 /.test(err.message)) throw err;
  }
  const sql = `INSERT INTO collaboratives (slug, name, name_key, visibility, created_by, created_at, updated_at)
      VALUES ('ell-resources', 'ELL resources review', 'ell resources review', 'private', ${lead.id}, datetime('now'), datetime('now'));
    INSERT INTO collaborative_members (collaborative_id, user_id, role, joined_at)
      SELECT id, ${lead.id}, 'lead', datetime('now') FROM collaboratives WHERE slug = 'ell-resources';
    INSERT INTO collaborative_members (collaborative_id, user_id, role, joined_at)
      SELECT id, ${member.id}, 'member', datetime('now') FROM collaboratives WHERE slug = 'ell-resources';`;
  await run("sqlite3", ["-cmd", ".timeout 5000", server.dbPath, sql]);
}

describe("a private collaborative's question", () => {
  before(async () => {
    server = await startServer({ logName: "server-scope.log", env: { STAFFROOM_PRIVILEGES: "open" } });
    browser = await launchBrowser();
    site.admin = await signUpByAPI(api, "admin");
    site.lead = await signUpByAPI(api, "lead");
    site.member = await signUpInBrowser(browser, server.baseURL, "member");
    site.outsider = await signUpInBrowser(browser, server.baseURL, "outsider");
    await makePrivateGroup(site.lead, { id: site.member.user.id });
  });
  after(async () => {
    for (const p of [site.member, site.outsider]) await p?.context.close();
    await browser?.close();
    await server?.stop();
  });

  test("a member asks it; others get 404 and never find it", async () => {
    const title = "Which intake interview questions work for newcomer families?";
    const { page, problems } = site.member;
    await page.goto("/questions/ask?collaborative=ell-resources");
    const choice = page.locator("#f-collaborative");
    assert.equal(await choice.inputValue(), "ell-resources", "?collaborative= chooses the collaborative");
    await page.fill("#f-title", title);
    await page.fill("#f-body", "We meet each newcomer family in the first week. Which questions tell you the most, and which to leave for later?");
    await page.fill("#f-tags", "newcomers intake");
    await Promise.all([page.waitForURL(/\/questions\/\d+\/.*done=asked/), page.getByRole("button", { name: "Post your question" }).click()]);
    const url = new URL(page.url());
    const id = url.pathname.split("/")[2];
    assert.match(await page.locator(".scope-note").textContent(), /Asked in the collaborative ELL resources review/);
    assert.match(await page.locator(".scope-note").textContent(), /private/);
    await screenshot(page, "scope-member-question");
    assert.deepEqual(problems, []);

    // The non-member: exactly a missing question's page.
    const other = site.outsider.page;
    const hidden = await other.goto(`/questions/${id}`);
    const missing = await other.goto("/questions/987654321");
    assert.equal(hidden.status(), 404);
    assert.equal(missing.status(), 404);
    await other.goto(`/questions/${id}`);
    const hiddenMain = (await other.locator("main").textContent()).replaceAll(id, "ID");
    await other.goto("/questions/987654321");
    const missingMain = (await other.locator("main").textContent()).replaceAll("987654321", "ID");
    assert.equal(hiddenMain, missingMain, "the refusal reads as a missing question's");
    await screenshot(other, "scope-non-member-404");

    // Nor is it found: search, the home page, the tag it used.
    await other.goto("/search?q=intake+interview");
    assert.match(await other.locator(".result-count").textContent(), /0 results/);
    assert.equal(await other.getByText(title).count(), 0);
    await other.goto("/");
    assert.equal(await other.getByText(title).count(), 0);
    assert.equal((await other.goto("/tags/intake")).status(), 404);

    // Anonymous readers alike.
    const anon = await newSession(browser, server.baseURL);
    const ap = await anon.newPage();
    assert.equal((await ap.goto(`/questions/${id}`)).status(), 404);
    await ap.goto("/search?q=intake+interview");
    assert.match(await ap.locator(".result-count").textContent(), /0 results/);
    await anon.close();

    // The member finds it in search.
    await page.goto("/search?q=intake+interview");
    assert.match(await page.locator(".result-count").textContent(), /1 result/);
    assert.equal(await page.locator(".search-results .question-summary a", { hasText: "intake interview" }).count() > 0, true);
    assert.deepEqual(site.outsider.problems, []);
  });
});
