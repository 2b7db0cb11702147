// Forms, end to end in a real browser (issue #17): a failed form leaves the address bar on
// the form's own page and a reload posts nothing; every field's error shows at once, the
// first field focused, each error going once its field is right; each form on the question
// page keeps its own errors and text; an answer sent after the question closed is kept to
// copy; the close form finds the original of a duplicate by its title; comments take votes.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { launchBrowser, newSession, screenshot } from "./lib/browser.mjs";
import { signUpInBrowser } from "./lib/people.mjs";
import { startServer } from "./lib/server.mjs";

let server;
const signUp = (name) => signUpInBrowser(browser, server.baseURL, name);
let browser;
const people = {};

// submit clicks a button and returns the response of the page the browser ends on (the
// redirect's target), with the methods of every document request on the way.
async function submit(page, locator) {
  const methods = [];
  const onRequest = (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) methods.push(r.method());
  };
  page.on("request", onRequest);
  const shown = page.waitForResponse(
    (r) => r.request().isNavigationRequest() && r.frame() === page.mainFrame() && (r.status() < 300 || r.status() >= 400),
  );
  await locator.click();
  const res = await shown;
  await page.waitForLoadState("load");
  page.off("request", onRequest);
  return { res, methods };
}

const pathOf = (page) => {
  const u = new URL(page.url());
  return u.pathname + u.search;
};

// api calls the JSON API as a person, with their session and its CSRF token.
async function api(person, method, path, body) {
  const me = await (await person.context.request.get("/api/v1/me")).json();
  const res = await person.context.request.fetch(path, {
    method,
    headers: { "X-CSRF-Token": me.csrf_token, "Content-Type": "application/json" },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(res.ok(), `${method} ${path}: ${res.status()} ${await res.text()}`);
  return res.json();
}

let questionID;
let answerID;

describe("forms in the browser", () => {
  before(async () => {
    server = await startServer({ logName: "server-forms.log", env: { STAFFROOM_PRIVILEGES: "open" } });
    browser = await launchBrowser();
    for (const name of ["moderator", "asker", "answerer"]) people[name] = await signUp(name); // the first is the admin
    const q = await api(people.asker, "POST", "/api/v1/questions", {
      title: "How do you grade group projects fairly?",
      body: "Each student should get a score for their own part, but how do you see it?",
      tags: ["grading"],
    });
    questionID = q.id;
    const a = await api(people.answerer, "POST", `/api/v1/questions/${questionID}/answers`, {
      body: "We grade each member's part with a rubric and add a short peer review.",
    });
    answerID = a.id;
  });
  after(async () => {
    for (const p of Object.values(people)) {
      assert.deepEqual(p.problems, [], "script errors on the pages");
      await p.context.close();
    }
    await browser?.close();
    await server?.stop();
  });

  test("a failed sign-up shows every error at once, focuses the first, and clears each as it is fixed", async () => {
    const context = await newSession(browser, server.baseURL);
    const page = await context.newPage();
    await page.goto("/signup");
    await page.fill("#f-username", "a b");
    await page.fill("#f-email", "not an address");
    await page.fill("#f-password", "short");
    await page.fill("#f-password_confirm", "shorter");
    const { res, methods } = await submit(page, page.getByRole("button", { name: "Create account" }));
    assert.equal(res.status(), 400);
    assert.deepEqual(methods, ["POST", "GET"]);
    assert.match(pathOf(page), /^\/signup\?form=[0-9a-f]{32}$/, "the address is the page's own, not the POST's");
    for (const f of ["username", "email", "password", "password_confirm"]) {
      assert.equal(await page.locator(`#f-${f}-error`).count(), 1, `the error of ${f}`);
      assert.match(await page.getAttribute(`#f-${f}`, "aria-describedby"), new RegExp(`\\bf-${f}-error\\b`));
    }
    assert.equal(await page.evaluate(() => document.activeElement.id), "f-username", "the first field at fault has the focus");
    await screenshot(page, "forms-01-signup-errors");

    // Fixing a field takes its error away; the others stay.
    await page.fill("#f-username", "grader_9");
    assert.equal(await page.locator("#f-username-error").count(), 0);
    assert.equal(await page.getAttribute("#f-username", "aria-invalid"), null);
    assert.equal(await page.getAttribute("#f-username", "aria-describedby"), "f-username-hint");
    assert.equal(await page.locator("#f-email-error").count(), 1);
    await page.fill("#f-email", "grader9@district.example.org");
    assert.equal(await page.locator("#f-email-error").count(), 0);
    await page.fill("#f-password", "long enough password");
    assert.equal(await page.locator("#f-password-error").count(), 0);
    assert.equal(await page.locator("#f-password_confirm-error").count(), 1, "the repeat does not match yet");
    await page.fill("#f-password_confirm", "long enough password");
    assert.equal(await page.locator("#f-password_confirm-error").count(), 0);

    // A reload asks for the page again: it posts nothing.
    const reloaded = [];
    page.on("request", (r) => r.isNavigationRequest() && reloaded.push(r.method()));
    await page.reload();
    assert.deepEqual(reloaded, ["GET"]);
    assert.equal(await page.locator("#f-email-error").count(), 1, "the failure shows again on a reload");
    await context.close();
  });

  test("a failed vote leaves the address on the question page", async () => {
    const { page } = people.asker;
    await page.goto(`/questions/${questionID}`);
    // A vote on one's own post is refused. Its button is drawn disabled, so enable it as a
    // page drawn before the rule applied would have it, and send it.
    const up = page.locator(`#post-${questionID}`).getByRole("button", { name: /^Vote up/ });
    await up.evaluate((b) => { b.disabled = false; });
    const { res, methods } = await submit(page, up);
    assert.equal(res.status(), 403);
    assert.deepEqual(methods, ["POST", "GET"]);
    assert.match(pathOf(page), new RegExp(`^/questions/${questionID}\\?form=[0-9a-f]{32}$`));
    assert.match(await page.locator(`#post-${questionID} .post-main > .form-error`).innerText(), /own/);
  });

  test("a comment's error stays with that comment form, with its text", async () => {
    const { page } = people.asker;
    await page.goto(`/questions/${questionID}`);
    const answer = page.locator(`#post-${answerID}`);
    await answer.locator("details.comment-add > summary").click();
    await answer.locator(`#comment-${answerID}-0`).fill("Too short");
    const { res } = await submit(page, answer.getByRole("button", { name: "Add comment" }));
    assert.equal(res.status(), 400);
    const box = page.locator(`#comment-${answerID}-0`);
    assert.equal(await box.inputValue(), "Too short");
    assert.equal(await box.isVisible(), true, "its form is open");
    assert.equal(await page.evaluate(() => document.activeElement.id), `comment-${answerID}-0`);
    assert.match(await page.locator(`#comment-${answerID}-0-error`).innerText(), /at least 15 characters/);
    assert.equal(await page.inputValue("#answer-body"), "", "the answer box stays empty");
    await screenshot(page, "forms-02-comment-error");
    await box.fill("Too short, now long enough to say something.");
    assert.equal(await page.locator(`#comment-${answerID}-0-error`).count(), 0, "the error goes once the comment is long enough");
  });

  test("the close form shows its errors, finds the original by title, and names it", async () => {
    const { page } = people.moderator;
    const dup = await api(people.answerer, "POST", "/api/v1/questions", {
      title: "Fair grades for group work: how?",
      body: "Our group projects end with one grade for everyone, which feels unfair.",
      tags: ["grading"],
    });
    await page.goto(`/questions/${dup.id}`);
    await page.locator("details.close-form > summary").click();
    await page.getByLabel("It is a duplicate").check();
    // A moderator's vote is binding, so the button says Close.
    let { res } = await submit(page, page.getByRole("button", { name: /^(Vote to close|Close)$/ }));
    assert.equal(res.status(), 400);
    assert.equal(await page.locator("details.close-form").getAttribute("open"), "");
    assert.equal(await page.locator("#close-dup-error").count(), 1);
    assert.equal(await page.getByLabel("It is a duplicate").isChecked(), true, "the reason chosen is kept");

    await page.fill("#close-dup-search", "grade group proj");
    const pick = page.locator(".dup-results button", { hasText: "How do you grade group projects fairly?" });
    await pick.waitFor();
    await pick.click();
    assert.equal(await page.inputValue("#close-dup"), String(questionID));
    assert.equal(await page.locator("#close-dup-error").count(), 0, "a chosen original clears the error");
    await screenshot(page, "forms-03-duplicate-search");
    ({ res } = await submit(page, page.getByRole("button", { name: /^(Vote to close|Close)$/ })));
    assert.equal(res.status(), 200);
    assert.match(await page.locator(".notice").innerText(), /answered at How do you grade group projects fairly\?/);
  });

  test("an answer sent after the question closed is kept to copy", async () => {
    const { page, context } = people.answerer;
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const q = await api(people.asker, "POST", "/api/v1/questions", {
      title: "Which calculators do you allow in tests?",
      body: "Graphing calculators or only scientific ones? We cannot agree.",
      tags: ["assessment"],
    });
    await page.goto(`/questions/${q.id}`);
    const text = "We allow scientific calculators only, and lend them out so nobody is left without.";
    await page.fill("#answer-body", text);
    await api(people.moderator, "POST", `/api/v1/questions/${q.id}/close`, { reason: "opinion_based" });
    const { res } = await submit(page, page.getByRole("button", { name: "Post your answer" }));
    assert.equal(res.status(), 409);
    assert.equal(await page.inputValue("#answer-kept"), text);
    assert.equal(await page.getAttribute("#answer-kept", "readonly"), "");
    const copy = page.getByRole("button", { name: "Copy your text" });
    assert.equal(await copy.isVisible(), true);
    await copy.click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), text);
    await screenshot(page, "forms-04-closed-kept");
  });

  test("a comment takes a vote from its button", async () => {
    const { page } = people.moderator;
    const c = await api(people.asker, "POST", `/api/v1/posts/${answerID}/comments`, { body: "Which rubric did you use for this?" });
    await page.goto(`/questions/${questionID}`);
    const { res } = await submit(page, page.locator(`#comment-${c.id}`).getByRole("button", { name: /^Upvote the comment/ }));
    assert.equal(res.status(), 200);
    assert.equal(await page.locator(`[data-comment-score="${c.id}"]`).innerText(), "1");
  });
});
