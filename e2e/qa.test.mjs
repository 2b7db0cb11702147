// Questions and answers, end to end in a real browser: ask, answer, comment, reply, vote
// and accept through the pages, as three people in three browser contexts. Each test makes
// the question and answer it works on (through the API, as the people who would write
// them), so that any test runs alone, in any order, and one that fails leaves the others
// meaningful.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { launchBrowser, newSession, screenshot } from "./lib/browser.mjs";
import { signUpInBrowser } from "./lib/people.mjs";
import { startServer } from "./lib/server.mjs";

let server;
const signUp = (name) => signUpInBrowser(browser, server.baseURL, name);
let browser;
const people = {};

// api calls the JSON API as a person, through their browser session (its cookie and CSRF
// token), and returns the answer's JSON.
async function api(person, method, path, body) {
  const res = await person.context.request.fetch("/api/v1" + path, {
    method,
    headers: { "X-CSRF-Token": person.csrf },
    data: body,
  });
  const text = await res.text();
  assert.ok(res.ok(), `${method} ${path}: ${res.status()} ${text}`);
  return text ? JSON.parse(text) : null;
}

let asked = 0;

// askQuestion has the asker ask a new question through the API; titles and texts are
// numbered, so that each test's question is its own (and the same text posted again and
// again is a spam signal: the third copy within an hour is hidden for review).
async function askQuestion(title) {
  asked++;
  const q = await api(people.asker, "POST", "/questions", {
    title: `${title} (${asked})`,
    body: `We move to standards-based grading next fall and want to hear what worked for others (${asked}).`,
    tags: ["grading"],
  });
  return { id: q.id, url: q.url };
}

// answered returns a new question with one answer by the answerer.
async function answered(title) {
  const q = await askQuestion(title);
  const a = await api(people.answerer, "POST", `/questions/${q.id}/answers`, {
    body: `We used weekly standards checks on a four-point scale; parents found the reports clearer (${asked}).`,
  });
  return { ...q, answerID: a.id };
}

// submitAndWait clicks a button and waits for the page the POST redirected to.
async function submitAndWait(page, locator) {
  await Promise.all([page.waitForEvent("framenavigated", { predicate: (f) => f === page.mainFrame() }), locator.click()]);
  await page.waitForLoadState("load");
}

async function reputationOf(person) {
  return (await api(person, "GET", `/users/${person.user.id}`)).reputation;
}

describe("questions and answers in the browser", () => {
  before(async () => {
    // Open privileges: new accounts may vote at once, so three fresh people can do it all.
    server = await startServer({ logName: "server-qa.log", env: { STAFFROOM_PRIVILEGES: "open" } });
    browser = await launchBrowser();
    for (const name of ["asker", "answerer", "voter"]) people[name] = await signUp(name);
  });
  after(async () => {
    for (const p of Object.values(people)) {
      assert.deepEqual(p.problems, [], "script errors on the pages");
      await p.context.close();
    }
    await browser?.close();
    await server?.stop();
  });

  test("a bad question is refused with the error beside its field", async () => {
    const { page } = people.asker;
    await page.goto("/questions/ask");
    await page.fill("#f-title", "Too short");
    await page.fill("#f-body", "Also far too short.");
    await page.fill("#f-tags", "grading");
    await submitAndWait(page, page.getByRole("button", { name: "Post your question" }));
    await assert.doesNotReject(page.locator("#f-title-error").waitFor());
    assert.match(await page.locator("#f-title-error").textContent(), /at least 15 characters/);
    assert.equal(await page.inputValue("#f-body"), "Also far too short.", "the typed body is kept");
  });

  test("ask with a live preview", async () => {
    const { page } = people.asker;
    await page.goto("/questions/ask");
    await page.fill("#f-title", "How do you run standards-based grading in a 1:1 middle school?");
    await page.fill("#f-body", "We move to **standards-based grading** next fall.\n\n- weekly checks\n- a four-point scale\n\n<script>alert(1)</script>");
    await page.fill("#f-tags", "grading middle-school");
    await page.locator("#body-preview strong").waitFor();
    assert.equal(await page.locator("#body-preview strong").textContent(), "standards-based grading");
    assert.equal(await page.locator("#body-preview script").count(), 0);
    await screenshot(page, "qa-01-ask");
    await submitAndWait(page, page.getByRole("button", { name: "Post your question" }));
    assert.match(page.url(), /\/questions\/\d+\/how-do-you-run-standards-based-grading/);
    assert.equal(await page.locator("h1").textContent(), "How do you run standards-based grading in a 1:1 middle school?");
    assert.equal(await page.locator(".post-body li").count(), 2);
  });

  test("another person answers", async () => {
    const q = await askQuestion("How do you report standards-based grades to parents?");
    const { page } = people.answerer;
    await page.goto(q.url);
    await page.fill("#answer-body", "We used weekly standards checks on a four-point scale; parents found the reports clearer.");
    await submitAndWait(page, page.getByRole("button", { name: "Post your answer" }));
    assert.match(await page.locator("#answers-heading").textContent(), /1 Answer/);
    assert.match(await page.locator("#answers .post-body").textContent(), /four-point scale/);
  });

  test("comment on the answer, and a reply to the comment", async () => {
    const q = await answered("Which rubric template works for weekly standards checks?");
    const asker = people.asker.page;
    await asker.goto(q.url);
    const answer = asker.locator("#answers .post").first();
    await answer.locator("summary", { hasText: "Add a comment" }).click();
    await answer.locator(".comment-add textarea").fill("Could you share the *rubric* template you use?");
    await submitAndWait(asker, answer.getByRole("button", { name: "Add comment" }));
    const comment = asker.locator("#answers .comment").first();
    assert.match(await comment.textContent(), /Could you share the rubric template/);
    assert.equal(await comment.locator("em").textContent(), "rubric");

    const answerer = people.answerer.page;
    await answerer.goto(q.url);
    const first = answerer.locator("#answers .comment").first();
    await first.locator("summary", { hasText: "reply" }).click();
    await first.locator(".comment-reply textarea").fill("Sure, it is in the shared drive under Grading.");
    await submitAndWait(answerer, first.getByRole("button", { name: "Reply" }));
    const reply = answerer.locator("#answers .comment .comment-list .comment").first();
    assert.match(await reply.textContent(), /shared drive/, "the reply is nested under its comment");
  });

  test("vote the answer up, then take the vote back", async () => {
    const q = await answered("How often do you reassess a standard?");
    const { page } = people.voter;
    await page.goto(q.url);
    const answer = page.locator("#answers .post").first();
    await submitAndWait(page, answer.getByRole("button", { name: /Vote up/ }));
    const again = page.locator("#answers .post").first();
    assert.equal(await again.locator(".score").textContent(), "1");
    assert.equal(await again.locator(".vote-up").getAttribute("aria-pressed"), "true");
    await submitAndWait(page, again.getByRole("button", { name: /Take back your up vote/ }));
    assert.equal(await page.locator("#answers .post .score").first().textContent(), "0");
    await submitAndWait(page, page.locator("#answers .post").first().getByRole("button", { name: /Vote up/ }));
    assert.equal(await page.locator("#answers .post .score").first().textContent(), "1");
  });

  test("nobody votes on their own post: the buttons say why they are off", async () => {
    const q = await answered("Do you grade homework under standards-based grading?");
    const { page } = people.answerer;
    await page.goto(q.url);
    for (const name of [/Vote up/, /Vote down/]) {
      const button = page.locator(`#post-${q.answerID}`).getByRole("button", { name });
      assert.equal(await button.isDisabled(), true, "a vote on one's own answer is offered");
      assert.equal(await button.getAttribute("title"), "You cannot vote on your own post.");
    }
    await assert.rejects(api(people.answerer, "POST", `/posts/${q.answerID}/vote`, { value: 1 }), /403/);
  });

  test("the asker accepts the answer", async () => {
    const q = await answered("How do you weigh late work under standards-based grading?");
    const { page } = people.asker;
    await page.goto(q.url);
    await submitAndWait(page, page.locator("#answers .post").first().getByRole("button", { name: /Accept this answer/ }));
    assert.equal(await page.locator("#answers .post-accepted").count(), 1);
    await screenshot(page, "qa-02-question");
    await page.goto("/");
    const summary = page.locator(".question-summary", { has: page.locator(`a[href='${q.url}']`) });
    assert.match(await summary.textContent(), /1\s*answer/);
    assert.equal(await summary.locator(".stat.accepted").count(), 1);
    await screenshot(page, "qa-03-home");
  });

  test("an author deletes her answer and still sees it, marked, after a reload; others do not", async () => {
    const q = await answered("Do you let students retake a standards check?");
    const { page } = people.answerer;
    await page.goto(q.url);
    page.once("dialog", (d) => d.accept()); // "Delete this answer?"
    await submitAndWait(page, page.locator(`#post-${q.answerID}`).getByRole("button", { name: "Delete" }));
    for (const when of ["after the delete", "after a reload"]) {
      if (when === "after a reload") await page.reload();
      const post = page.locator(`#post-${q.answerID}`);
      assert.equal(await post.count(), 1, `her deleted answer is gone ${when}`);
      assert.match(await post.getAttribute("class"), /\bpost-deleted\b/);
      assert.match(await post.locator(".notice-deleted").textContent(), /Deleted\..*its author and moderators/);
      assert.equal(await post.getByRole("button", { name: "Delete" }).count(), 0, "a deleted answer offers Delete");
      assert.equal(await post.getByRole("button", { name: "Undelete" }).count(), 0, "only moderators undelete");
    }
    await screenshot(page, "qa-04-own-deleted-answer");
    for (const other of [people.voter, people.asker]) {
      await other.page.goto(q.url);
      // The asker made the site's first account, so is its admin: moderators see deleted posts.
      const moderator = ["moderator", "admin"].includes(other.user.role);
      const seen = other.page.locator(`#post-${q.answerID}`);
      assert.equal(await seen.count(), moderator ? 1 : 0, `${other.user.username} (${other.user.role}) and the deleted answer`);
      if (moderator) assert.equal(await seen.getByRole("button", { name: "Undelete" }).count(), 1);
    }
    assert.equal(people.voter.user.role, "member");
    const anonymous = await newSession(browser, server.baseURL);
    const anon = await anonymous.newPage();
    await anon.goto(q.url);
    assert.equal(await anon.locator(`#post-${q.answerID}`).count(), 0, "an anonymous reader sees the deleted answer");
    await anonymous.close();
  });

  test("the answerer's reputation shows the vote and the acceptance", async () => {
    const q = await answered("What goes on a standards-based report card?");
    const before = await reputationOf(people.answerer);
    await api(people.voter, "POST", `/posts/${q.answerID}/vote`, { value: 1 });
    await api(people.asker, "POST", `/answers/${q.answerID}/accept`);
    const { page } = people.answerer;
    await page.goto("/");
    await page.locator("a.me").click();
    await page.waitForLoadState("load");
    // +10 for the vote up, +15 for the acceptance.
    assert.equal((await page.locator(".profile-stats dd").first().textContent()).trim(), String(before + 25));
  });
});
