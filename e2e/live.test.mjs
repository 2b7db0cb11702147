// Live updates in the browser: two people on one question page see each other's answers,
// votes, comments, edits and acceptance without reloading; the home page offers new
// questions; a page whose socket was down resumes from its last seq and misses nothing.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { launchBrowser, newSession, screenshot } from "./lib/browser.mjs";
import { startServer } from "./lib/server.mjs";

let server;
let browser;
const people = {};

// signUp makes an account through the API inside a fresh browser context: the context
// gets the session cookie, the test gets a bearer token for API calls of its own.
async function signUp(name) {
  const context = await newSession(browser, server.baseURL);
  const res = await context.request.post("/api/v1/auth/signup", {
    data: { username: name, email: `${name}@district.example.org`, password: "correct horse battery staple", display_name: `Teacher ${name}` },
  });
  assert.equal(res.status(), 201, await res.text());
  const { user, token } = await res.json();
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (msg) => { if (msg.type() === "error") problems.push(`console: ${msg.text()}`); });
  return { context, page, problems, user, token };
}

// api calls the JSON API as a person, with their bearer token (no browser involved).
async function api(person, method, path, body) {
  const res = await fetch(server.baseURL + "/api/v1" + path, {
    method,
    headers: { Authorization: `Bearer ${person.token}`, "Content-Type": "application/json", Accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// openLive opens a page and waits until its socket has subscribed to the page's topic.
async function openLive(page, path) {
  await page.goto(path);
  await page.locator("body[data-live-state='live']").waitFor();
  // A marker that a reload would wipe: live updates must never need one.
  await page.evaluate(() => { window.__notReloaded = true; });
}

async function notReloaded(page) {
  assert.equal(await page.evaluate(() => window.__notReloaded), true, "the page was not reloaded");
}

async function submitAndWait(page, locator) {
  await Promise.all([page.waitForEvent("framenavigated", { predicate: (f) => f === page.mainFrame() }), locator.click()]);
  await page.waitForLoadState("load");
}

async function askQuestion(person, title) {
  return api(person, "POST", "/questions", {
    title,
    body: "Our department is trying this next term and we want to hear what worked for others.",
    tags: ["grading"],
  });
}

describe("live updates in the browser", () => {
  before(async () => {
    // Open privileges: fresh accounts may vote at once.
    server = await startServer({ logName: "server-live.log", env: { STAFFROOM_PRIVILEGES: "open" } });
    browser = await launchBrowser();
    for (const name of ["asker", "answerer", "voter"]) people[name] = await signUp(name);
  });
  after(async () => {
    for (const p of Object.values(people)) {
      await p.context.close();
    }
    await browser?.close();
    await server?.stop();
    for (const p of Object.values(people)) {
      assert.deepEqual(p.problems, [], "script errors on the pages");
    }
  });

  test("answers, votes, comments, edits and acceptance reach the other reader", async () => {
    const q = await askQuestion(people.asker, "How do you keep exit tickets quick in a 50-minute block?");
    const url = `/questions/${q.id}`;
    const asker = people.asker.page;
    const answerer = people.answerer.page;
    await openLive(asker, url);
    await openLive(answerer, url);

    // Presence: both readers see that two people are here.
    await asker.locator("#live-presence", { hasText: "2 people are viewing" }).waitFor();

    // The answerer answers through the page's form; the asker is offered it, not shoved it.
    await answerer.fill("#answer-body", "Three questions on a half sheet, collected at the door; I sort them into three piles before lunch.");
    await submitAndWait(answerer, answerer.getByRole("button", { name: "Post your answer" }));
    await answerer.locator("body[data-live-state='live']").waitFor();
    await answerer.evaluate(() => { window.__notReloaded = true; });
    const bar = asker.locator("#live-answers-bar .live-bar");
    await bar.waitFor();
    assert.match(await bar.textContent(), /1 new answer — show/);
    assert.equal(await asker.locator("#answers > .post").count(), 0, "the new answer waits behind the bar");
    await screenshot(asker, "live-01-new-answer-bar");
    await bar.getByRole("button", { name: "show" }).click();
    const answer = asker.locator("#answers > .post").first();
    await answer.waitFor();
    assert.match(await answer.locator(".post-body").textContent(), /half sheet/);
    assert.match(await asker.locator("#answers-heading").textContent(), /1 Answer/);
    assert.equal(await bar.count(), 0, "the bar is gone once shown");
    const answerID = Number((await answer.getAttribute("id")).replace("post-", ""));

    // A vote cast elsewhere changes the score in place.
    await api(people.voter, "POST", `/posts/${answerID}/vote`, { value: 1 });
    await asker.locator(`[data-score='${answerID}']`, { hasText: /^1$/ }).waitFor();
    await answerer.locator(`[data-score='${answerID}']`, { hasText: /^1$/ }).waitFor();

    // A comment, and a reply to it, appear under their post, threaded.
    const c1 = await api(people.voter, "POST", `/posts/${answerID}/comments`, { body: "Do you grade them, or only *sort* them?" });
    await asker.locator(`#post-${answerID} #comment-${c1.id}`).waitFor();
    assert.equal(await asker.locator(`#comment-${c1.id} em`).textContent(), "sort");
    const c2 = await api(people.answerer, "POST", `/posts/${answerID}/comments`, { body: "Only sort them: the piles decide tomorrow's groups.", parent_id: c1.id });
    await asker.locator(`#comment-${c1.id} .comment-list #comment-${c2.id}`).waitFor();

    // The asker's live-inserted answer carries working forms: accept through it.
    await submitAndWait(asker, asker.locator(`#post-${answerID}`).getByRole("button", { name: /Accept this answer/ }));
    await answerer.locator(`#post-${answerID}.post-accepted .accept.is-accepted`).waitFor();
    await notReloaded(answerer);

    // An edit replaces the body for everyone.
    await api(people.answerer, "PATCH", `/posts/${answerID}`, { body: "Three questions on a half sheet, collected at the door, sorted into three piles before lunch. Edited: I added a fourth pile for blanks." });
    await asker.locator(`#post-${answerID} .post-body`, { hasText: "fourth pile" }).waitFor();
    await screenshot(asker, "live-02-question-updated");
  });

  test("an answer that arrives live offers a moderator what a reload would", async () => {
    // The asker signed up first, so is an admin: a moderator, who may delete any answer.
    const moderator = people.asker;
    const q = await askQuestion(people.voter, "How do you run a silent discussion in a large class?");
    await openLive(moderator.page, `/questions/${q.id}`);
    const a = await api(people.answerer, "POST", `/questions/${q.id}/answers`, { body: "Big paper on the walls, one marker each, ten minutes without a word before anyone speaks." });
    const bar = moderator.page.locator("#live-answers-bar .live-bar");
    await bar.filter({ hasText: "1 new answer — show" }).waitFor();
    await bar.getByRole("button", { name: "show" }).click();
    const live = moderator.page.locator(`#post-${a.id}`);
    await live.locator(".post-body", { hasText: "Big paper" }).waitFor();
    const offered = async () => (await live.locator("button, a").allTextContents()).map((t) => t.trim());
    const arrived = await offered();
    assert.ok(arrived.includes("Delete"), `no Delete for a moderator on a live answer: ${arrived}`);
    await notReloaded(moderator.page);
    await moderator.page.reload();
    assert.deepEqual(await offered(), arrived, "a reload offers other buttons than the live answer did");
  });

  test("the home page offers new questions", async () => {
    const reader = people.voter.page;
    await openLive(reader, "/");
    await askQuestion(people.asker, "Which seating charts work for group labs with 32 students?");
    await askQuestion(people.answerer, "How do you run parent conferences when families cannot come in?");
    const bar = reader.locator("#live-questions-bar .live-bar");
    await bar.filter({ hasText: "2 new questions — show" }).waitFor();
    await screenshot(reader, "live-03-home-bar");
    await bar.getByRole("button", { name: "show" }).click();
    const titles = await reader.locator(".question-summary h3 a").allTextContents();
    assert.equal(titles[0], "How do you run parent conferences when families cannot come in?");
    assert.equal(titles[1], "Which seating charts work for group labs with 32 students?");
    await notReloaded(reader);
    await screenshot(reader, "live-04-home-shown");
  });

  test("a page whose socket was down resumes and misses nothing", async () => {
    const q = await askQuestion(people.asker, "What do you put on a substitute plan for a lab day?");
    const url = `/questions/${q.id}`;
    const reader = people.voter;
    await openLive(reader.page, url);

    await reader.context.setOffline(true);
    await reader.page.locator("body[data-live-state='offline']").waitFor();
    const a = await api(people.answerer, "POST", `/questions/${q.id}/answers`, { body: "A printed lab sheet, the safety rules, and a no-equipment backup activity." });
    await reader.context.setOffline(false);

    await reader.page.locator("body[data-live-state='live']").waitFor({ timeout: 20_000 });
    const bar = reader.page.locator("#live-answers-bar .live-bar");
    await bar.filter({ hasText: "1 new answer — show" }).waitFor();
    await bar.getByRole("button", { name: "show" }).click();
    await reader.page.locator(`#post-${a.id} .post-body`, { hasText: "no-equipment backup" }).waitFor();
    await notReloaded(reader.page);
    await screenshot(reader.page, "live-05-resumed");

    // Its author deletes it: it greys out in place and no longer counts.
    await api(people.answerer, "DELETE", `/posts/${a.id}`);
    await reader.page.locator(`#post-${a.id}.post-gone`, { hasText: "This answer was deleted." }).waitFor();
    assert.match(await reader.page.locator("#answers-heading").textContent(), /0 Answers/);
    await notReloaded(reader.page);
    await screenshot(reader.page, "live-06-deleted");
  });
});
