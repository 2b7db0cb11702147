// A suspension in the browser: a moderator suspends a member from the member's moderation
// page; the member sees why and until when on every page (the settings page too), and a
// write is refused with the same words; lifted, the banner is gone and writing works.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { launchBrowser, newSession, screenshot } from "./lib/browser.mjs";
import { apiOf, password, signUpByAPI } from "./lib/people.mjs";
import { startServer } from "./lib/server.mjs";

let server;
const api = (...args) => apiOf(server.baseURL)(...args);
const signUp = (username) => signUpByAPI(api, username);
let browser;
const site = {};

// signIn opens a browser session for who through the sign-in page.
async function signIn(who) {
  const context = await newSession(browser, server.baseURL);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (err) => problems.push(err.message));
  await page.goto("/login");
  await page.fill("#f-login", who.username);
  await page.fill("#f-password", password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.locator("form[action='/login'] button[type=submit]").click()]);
  return { context, page, problems };
}

describe("a suspended person sees the reason", () => {
  before(async () => {
    server = await startServer({ logName: "server-suspension.log", env: { STAFFROOM_PRIVILEGES: "open" } });
    browser = await launchBrowser();
    site.admin = await signUp("admin");
    site.member = await signUp("member");
    site.question = await api("POST", "/questions", {
      title: "How do you pace a unit on fractions?",
      body: "Our sixth grade fraction unit always runs long; how do you pace it?",
      tags: ["math"],
    }, site.admin.token);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("suspend from the moderation page, see the banner and the refusal, lift", async () => {
    const mod = await signIn(site.admin);
    await mod.page.goto(`/users/${site.member.id}/moderation`);
    await mod.page.selectOption("#f-days", "3");
    await mod.page.fill("#f-reason", "Repeated advertising in answers");
    await Promise.all([mod.page.waitForURL(/done=suspended/), mod.page.getByRole("button", { name: "Suspend" }).click()]);
    assert.match(await mod.page.locator("#suspension-heading + p").textContent(), /Suspended until .*Repeated advertising in answers/);
    assert.match(await mod.page.locator("table").textContent(), /user\.suspend/);

    const member = await signIn(site.member);
    for (const path of ["/", "/settings", `/questions/${site.question.id}`]) {
      await member.page.goto(path);
      const banner = member.page.locator(".suspension-banner");
      assert.equal(await banner.count(), 1, `${path} shows the banner`);
      const text = await banner.textContent();
      assert.match(text, /suspended until/i, `${path}: until when`);
      assert.match(text, /Repeated advertising in answers/, `${path}: why`);
      assert.equal(await banner.getAttribute("role"), "alert");
    }
    await screenshot(member.page, "suspension-banner");

    // A write through the page's form is refused, naming the reason and the end.
    await member.page.goto(`/questions/${site.question.id}`);
    await member.page.fill("#answer-body", "We split the unit into two-week halves with a check in the middle.");
    const [res] = await Promise.all([
      member.page.waitForResponse((r) => r.request().method() === "POST"),
      member.page.locator("form[action$='/answers'] button[type=submit]").click(),
    ]);
    assert.equal(res.status(), 403);
    await member.page.waitForLoadState("load");
    assert.match(await member.page.locator("main").textContent(), /suspended until .*Repeated advertising in answers/i);
    await screenshot(member.page, "suspension-refused");

    // Lifted: the banner goes and the answer can be posted.
    await mod.page.goto(`/users/${site.member.id}/moderation`);
    await Promise.all([mod.page.waitForURL(/done=unsuspended/), mod.page.getByRole("button", { name: "Lift the suspension" }).click()]);
    await member.page.goto("/");
    assert.equal(await member.page.locator(".suspension-banner").count(), 0);
    await api("POST", `/questions/${site.question.id}/answers`, { body: "We split the unit into two-week halves with a check in the middle." }, site.member.token);

    // The audit log page lists both actions, as the admin sees it.
    await mod.page.goto(`/moderation/audit?target=user:${site.member.id}`);
    const log = await mod.page.locator("table").textContent();
    assert.match(log, /user\.suspend/);
    assert.match(log, /user\.unsuspend/);
    assert.deepEqual([...mod.problems, ...member.problems], []);
    await mod.context.close();
    await member.context.close();
  });
});
