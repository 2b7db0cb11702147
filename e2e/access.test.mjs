// Who gets in, in the browser: the first account is told it runs the site and finds the
// admin area; it invites a teacher; the teacher joins by the link and, on her first day,
// asks a question with a new tag, asks another ten minutes later (known members have no
// interval to wait: the test does not sleep), and votes an answer up. A walk-in who signed
// up on the open form keeps the new-member rules. Rate limits are ON here: the 40-minute
// interval is one of them. Default privileges (moderate): voting up needs 15 reputation and
// creating a tag 100, which a new account does not have.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { launchBrowser, newSession, screenshot } from "./lib/browser.mjs";
import { startServer } from "./lib/server.mjs";

let server;
let browser;
const people = {};
const password = "correct horse battery staple";

async function openAs(name) {
  const context = await newSession(browser, server.baseURL);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  people[name] = { context, page, problems };
  return people[name];
}

// clickAndWait clicks and waits for the page the click navigates to.
async function clickAndWait(page, locator) {
  await Promise.all([page.waitForEvent("framenavigated", { predicate: (f) => f === page.mainFrame() }), locator.click()]);
  await page.waitForLoadState("load");
}

async function fillAccount(page, username, { email } = {}) {
  await page.fill("#f-username", username);
  await page.fill("#f-display_name", `Teacher ${username}`);
  if (email) await page.fill("#f-email", email);
  await page.fill("#f-password", password);
  await page.fill("#f-password_confirm", password);
}

async function ask(page, title, tags) {
  await page.goto("/questions/ask");
  await page.fill("#f-title", title);
  await page.fill("#f-body", "We are planning next term together and would like to hear what has worked in other schools.");
  await page.fill("#f-tags", tags);
  await clickAndWait(page, page.getByRole("button", { name: "Post your question" }));
}

describe("who gets in: an invited teacher's first day", () => {
  before(async () => {
    server = await startServer({ logName: "server-access.log", env: { STAFFROOM_RATE_LIMITS: "on" } });
    browser = await launchBrowser();
  });
  after(async () => {
    for (const p of Object.values(people)) {
      assert.deepEqual(p.problems, [], "script errors on the pages");
      await p.context.close();
    }
    await browser?.close();
    await server?.stop();
  });

  test("the first account is told it is the administrator and finds the admin area", async () => {
    const { page } = await openAs("admin");
    await page.goto("/signup");
    assert.match(await page.locator(".auth-card").textContent(), /first account becomes the site’s administrator/);
    await fillAccount(page, "rivera", { email: "rivera@district.example.org" });
    await clickAndWait(page, page.getByRole("button", { name: "Create account" }));
    assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, "/?done=welcome");
    const welcome = page.locator(".admin-welcome");
    assert.match(await welcome.locator("h2").textContent(), /You are this site’s administrator/);
    await screenshot(page, "access-01-admin-welcome");
    await clickAndWait(page, welcome.getByRole("link", { name: "Open the admin area" }));
    assert.equal(new URL(page.url()).pathname, "/admin");
    assert.equal(await page.locator("h1").textContent(), "Site settings");
    assert.equal(await page.locator(".user-menu").getByRole("link", { name: "Admin" }).count(), 1);
  });

  test("the admin invites a teacher, who joins by the link with her address locked", async () => {
    const admin = people.admin.page;
    await admin.goto("/admin/invites");
    await admin.fill("#f-email", "j.chen@district.example.org");
    await clickAndWait(admin, admin.getByRole("button", { name: "Make an invitation link" }));
    const link = await admin.inputValue("#new-link");
    assert.match(link, /\/invite\/[A-Za-z0-9_-]{43}$/);
    assert.match(await admin.locator("#pending-heading + .table-scroll").textContent(), /j\.chen@district\.example\.org/);
    await screenshot(admin, "access-02-invitation");

    const { page } = await openAs("teacher");
    await page.goto(link);
    assert.equal(await page.locator("h1").textContent(), "Join Staffroom");
    assert.equal(await page.inputValue("#f-email"), "j.chen@district.example.org");
    assert.equal(await page.locator("#f-email").getAttribute("readonly"), "");
    await fillAccount(page, "jchen");
    await screenshot(page, "access-03-accept");
    await clickAndWait(page, page.getByRole("button", { name: "Create account" }));
    assert.equal(new URL(page.url()).search, "?done=welcome");
    assert.equal(await page.locator(".admin-welcome").count(), 0, "only the first account is told it runs the site");

    // The link worked once.
    const again = await openAs("latecomer");
    const res = await again.page.goto(link);
    assert.equal(res.status(), 410);
    assert.match(await again.page.locator(".auth-card").textContent(), /already been used/);
  });

  test("on her first day she asks with a new tag, asks again ten minutes later, and votes an answer up", async () => {
    const { page } = people.teacher;
    await ask(page, "How do you start a co-teaching partnership in September?", "co-teaching");
    assert.match(page.url(), /\/questions\/\d+\/how-do-you-start-a-co-teaching/);
    assert.match(await page.locator("ul.tags").first().textContent(), /co-teaching/);
    const firstQuestion = page.url();

    // "Ten minutes later": a known member has no interval between questions at all, so the
    // next one goes through at once, where an open sign-up would wait 40 minutes.
    await ask(page, "How do you share planning time with a co-teacher?", "co-teaching planning");
    assert.match(page.url(), /\/questions\/\d+\/how-do-you-share-planning-time/);

    const admin = people.admin.page;
    await admin.goto(firstQuestion);
    await admin.fill("#answer-body", "We meet for twenty minutes every Monday and split the lesson plan by roles, not by days.");
    await clickAndWait(admin, admin.getByRole("button", { name: "Post your answer" }));

    await page.goto(firstQuestion);
    const answer = page.locator("#answers .post").first();
    await clickAndWait(page, answer.getByRole("button", { name: /^Vote up/ }));
    const voted = page.locator("#answers .post").first();
    assert.equal(await voted.locator(".score").textContent(), "1");
    assert.equal(await voted.locator(".vote-up").getAttribute("aria-pressed"), "true");
    await screenshot(page, "access-04-first-day");
  });

  test("a walk-in from the open sign-up form keeps the new-member rules", async () => {
    const { page } = await openAs("walkin");
    await page.goto("/signup");
    await fillAccount(page, "walkin", { email: "walkin@elsewhere.example.org" });
    await clickAndWait(page, page.getByRole("button", { name: "Create account" }));
    await ask(page, "How do you start a writing workshop in grade two?", "writing-workshop");
    assert.match(await page.locator("#f-tags-error").textContent(), /Creating a new tag needs 100 reputation/);
    await ask(page, "How do you start a writing workshop in grade two?", "co-teaching");
    assert.match(page.url(), /\/questions\/\d+\//);
    await ask(page, "How do you confer with seven-year-old writers?", "co-teaching");
    assert.match(await page.locator("main").textContent(), /one question every 40 minutes/);
  });
});
