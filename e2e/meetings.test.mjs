// Meetings through the pages: a lead schedules a meeting of their collaborative and adds an
// action item for a member from the meeting's page; the member finds it among their action
// items and marks it done; an outsider finds nothing of a private group's meetings.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { launchBrowser, newSession, screenshot } from "./lib/browser.mjs";
import { apiOf, password, signUpByAPI } from "./lib/people.mjs";
import { startServer } from "./lib/server.mjs";

let server;
let browser;
const people = {};

// signIn opens a browser session for who, signed in through the login page.
async function signIn(who) {
  const context = await newSession(browser, server.baseURL);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  await page.goto("/login");
  await page.fill("#f-login", who.username);
  await page.fill("#f-password", password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.locator("form[action='/login'] button[type=submit]").click()]);
  return { context, page, problems };
}

describe("meetings", () => {
  before(async () => {
    server = await startServer({ logName: "server-meetings.log" });
    browser = await launchBrowser();
    const api = apiOf(server.baseURL);
    people.admin = await signUpByAPI(api, "siteadmin");
    people.lead = await signUpByAPI(api, "ctlead");
    people.member = await signUpByAPI(api, "ctmember");
    people.outsider = await signUpByAPI(api, "outsider");
    for (const [slug, visibility] of [["ct-framework", "public"], ["ell-resources", "private"]]) {
      await api("POST", "/collaboratives", { slug, name: `Group ${slug}`, description: "A working group.", visibility }, people.lead.token);
      await api("POST", `/collaboratives/${slug}/members`, { user_id: people.member.id, role: "member" }, people.lead.token);
    }
    await api("POST", "/collaboratives/ell-resources/meetings", {
      title: "Private convening", starts_at: "2027-04-01T15:00:00-05:00", ends_at: "2027-04-01T16:00:00-05:00", time_zone: "America/Chicago",
    }, people.lead.token);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("a lead schedules a meeting and adds an action item through the pages", async () => {
    const { context, page, problems } = await signIn(people.lead);
    await page.goto("/c/ct-framework/meetings");
    await page.fill("#f-meeting_title", "Spring convening, day 1");
    await page.fill("#f-starts_at", "2027-03-04T09:00");
    await page.fill("#f-ends_at", "2027-03-04T08:00"); // before it starts: refused beside the field
    await page.selectOption("#f-time_zone", "America/Chicago");
    await page.fill("#f-location", "Harbor Point High School library");
    await Promise.all([page.waitForURL(/[?]form=/), page.getByRole("button", { name: "Schedule meeting" }).click()]);
    assert.match(await page.locator("#f-ends_at-error").innerText(), /end after it starts/);
    assert.equal(await page.inputValue("#f-meeting_title"), "Spring convening, day 1", "what was typed is kept");
    await page.fill("#f-ends_at", "2027-03-04T15:00");
    await Promise.all([page.waitForURL(/\/c\/ct-framework\/meetings\/\d+/), page.getByRole("button", { name: "Schedule meeting" }).click()]);
    await page.getByText("The meeting is scheduled.").waitFor();
    assert.equal(await page.locator("h1").innerText(), "Spring convening, day 1");
    const when = page.locator(".meeting-facts time.meeting-when");
    assert.equal(await when.getAttribute("datetime"), "2027-03-04T15:00:00Z");
    assert.match(await when.getAttribute("title"), /09:00–15:00 America\/Chicago/);

    await page.fill("#f-agenda_title", "Pilot reports");
    await Promise.all([page.waitForURL(/#agenda$/), page.getByRole("button", { name: "Propose" }).click()]);
    await page.locator("ol.agenda .agenda-title", { hasText: "Pilot reports" }).waitFor();

    await page.fill("#f-action_title", "Collect the pilot schools' artifacts");
    await page.selectOption("#f-assignee_id", { label: "Teacher ctmember (ctmember)" });
    await page.fill("#f-due", "2027-03-18");
    await Promise.all([page.waitForURL(/done=action#actions$/), page.getByRole("button", { name: "Add action item" }).click()]);
    const item = page.locator("#actions .action").filter({ hasText: "Collect the pilot schools' artifacts" });
    await item.waitFor();
    assert.match(await item.innerText(), /Teacher ctmember/);
    assert.match(await item.innerText(), /Due/);
    await screenshot(page, "meetings-01-meeting-page");

    const ics = await context.request.get(await page.getByRole("link", { name: "Download .ics" }).getAttribute("href"));
    assert.equal(ics.headers()["content-type"], "text/calendar; charset=utf-8");
    const text = await ics.text();
    assert.match(text, /SUMMARY:Group ct-framework: Spring convening\\, day 1/);
    assert.match(text, /DTSTART:20270304T150000Z/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("the member finds the item among their action items and marks it done", async () => {
    const { context, page, problems } = await signIn(people.member);
    await page.getByRole("link", { name: "Actions" }).click();
    await page.waitForURL("**/actions");
    const item = page.locator(".action").filter({ hasText: "Collect the pilot schools' artifacts" });
    await item.waitFor();
    await Promise.all([page.waitForURL(/done=actiondone/), item.getByRole("button", { name: /Mark done/ }).click()]);
    await page.getByText("You have no open action items.").waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("an outsider finds nothing of a private group's meetings", async () => {
    const { context, page } = await signIn(people.outsider);
    const res = await page.goto("/c/ell-resources/meetings");
    assert.equal(res.status(), 404);
    assert.doesNotMatch(await page.content(), /Private convening/);
    const api = await context.request.get("/api/v1/meetings/1");
    assert.equal(api.status(), 404);
    await context.close();
  });
});
