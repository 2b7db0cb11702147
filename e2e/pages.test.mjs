// Every main page, as an anonymous reader and signed in, at a desktop width and a phone's
// 390 px: no serious or critical axe-core violation, no error from the Nu HTML Checker on
// the HTML the server sent, and nothing wider than the phone's screen. Screenshots of each
// go to e2e/artifacts/pages/ to be looked at.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";

import { launchBrowser } from "./lib/browser.mjs";
import { apiOf, signUpByAPI } from "./lib/people.mjs";
import { artifactsDir, startServer } from "./lib/server.mjs";

const require = createRequire(import.meta.url);
const axeSource = require("axe-core").source;
const vnuJar = require("vnu-jar");

const widths = [1366, 390];
const htmlDir = join(artifactsDir, "html");
const shotDir = join(artifactsDir, "pages");

let server;
const api = (...args) => apiOf(server.baseURL)(...args);
const signUp = (username) => signUpByAPI(api, username);
let browser;
const site = {};

// The content every page shows: a question with a table, math, code and a link; answers,
// one accepted; threaded comments; votes; an edit (for the revisions page).
async function fillSite() {
  site.admin = await signUp("admin");
  site.asker = await signUp("asker");
  site.answerer = await signUp("answerer");
  const body = [
    "We move to **standards-based grading** next fall. How do you report it to families?",
    "",
    "| Standard | Week 1 | Week 2 | Week 3 | Week 4 | Week 5 | Week 6 | Week 7 | Week 8 | Week 9 | Week 10 |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    "| RL.7.1 cites several pieces of textual evidence | 2 | 3 | 3 | 4 | 4 | 3 | 4 | 4 | 4 | 4 |",
    "",
    "The average is $\\frac{1}{n}\\sum x_i$ and we use `round()`:",
    "",
    "```python\nprint(round(3.5))\n```",
    "",
    "See https://example.org/grading for our draft.",
  ].join("\n");
  const q = await api("POST", "/questions", { title: "How do you report standards-based grades to families?", body, tags: ["grading", "middle-school"] }, site.asker.token);
  site.question = q;
  const a1 = await api("POST", `/questions/${q.id}/answers`, { body: "We send a one-page guide home with the first report, and hold a family night." }, site.answerer.token);
  const a2 = await api("POST", `/questions/${q.id}/answers`, { body: "Our district translated the guide into four languages; it helped more than anything." }, site.admin.token);
  const c = await api("POST", `/posts/${q.id}/comments`, { body: "Which grade levels are you starting with?" }, site.answerer.token);
  await api("POST", `/posts/${q.id}/comments`, { body: "Grades 6 to 8 first.", parent_id: c.id }, site.asker.token);
  await api("POST", `/posts/${a1.id}/vote`, { value: 1 }, site.asker.token);
  await api("POST", `/answers/${a1.id}/accept`, null, site.asker.token);
  await api("PATCH", `/posts/${q.id}`, { body: `${body}\n\nEdited: we start in January.`, summary: "when we start" }, site.asker.token);
  site.answer = a1;
  // Moderation: a curated answer, a flag waiting in the queue, a moderator's message.
  await api("POST", `/posts/${a1.id}/curate`, { note: "The clearest way to explain the reports to families." }, site.admin.token);
  await api("POST", `/posts/${a2.id}/flags`, { reason: "other", note: "The link to the translated guide is broken." }, site.asker.token);
  await api("POST", `/moderation/users/${site.asker.id}/messages`, { body: "Thank you for a clear question; please add the grade levels you teach." }, site.admin.token);
  // The ways in, with a link each: an invitation and a password reset link.
  site.invite = new URL((await api("POST", "/invites", { email: "new.teacher@district.example.org" }, site.admin.token)).url).pathname;
  site.reset = new URL((await api("POST", `/admin/users/${site.answerer.id}/reset-link`, null, site.admin.token)).url).pathname;
  // A closed question, for the page that keeps an answer sent after it closed.
  site.closed = await api("POST", "/questions", { title: "Which brand of whiteboard markers lasts longest?", body: "Ours dry out within a week; which ones last?", tags: ["supplies"] }, site.answerer.token);
  await api("POST", `/questions/${site.closed.id}/close`, { reason: "opinion_based" }, site.admin.token);
  // The directory: a cluster, its districts, people who state their work.
  await api("POST", "/clusters", { slug: "great-lakes", name: "Great Lakes Innovation Cluster", description: "Districts around the lakes working on **computational thinking**." }, site.admin.token);
  await api("POST", "/districts", { slug: "riverside", name: "Riverside Unified School District", state: "MI", nces_id: "2629940", enrollment: 18400, locale: "21", cluster: "great-lakes", profile: "A suburban district of 24 schools on the Grand River." }, site.admin.token);
  await api("POST", "/districts", { name: "North Prairie Schools", state: "NE", locale: "rural", enrollment: 1100 }, site.admin.token);
  await api("PATCH", "/me", { district: "riverside", position: "teacher", subjects: ["ela", "social-studies"], grade_bands: ["6-8"], time_zone: "America/Detroit" }, site.asker.token);
  await api("PATCH", "/me", { district: "riverside", position: "coach", subjects: ["math"], grade_bands: ["9-12"] }, site.answerer.token);
  // Collaboratives: a public one the asker leads (with a member and a pending request to
  // its private sibling), so that the lead's tools show.
  await api("POST", "/collaboratives", { slug: "ct-framework", name: "Computational thinking framework", description: "A **K-12 framework** for computational thinking.", visibility: "public", cluster: "great-lakes", districts: ["riverside"] }, site.asker.token);
  await api("POST", "/collaboratives", { slug: "ell-resources", name: "ELL resources review", description: "Reviewing resources for English-language learners.", visibility: "private" }, site.asker.token);
  await api("POST", "/collaboratives/ct-framework/join", null, site.answerer.token);
  await api("POST", "/collaboratives/ell-resources/join", null, site.answerer.token);
  // A public collaborative's #general with a conversation: a thread, a reaction, a pin.
  const channels = await api("GET", "/collaboratives/ct-framework/channels", null, site.asker.token);
  site.channel = channels.items.find((c) => c.name === "general").id;
  const m1 = await api("POST", `/channels/${site.channel}/messages`, { body: "Welcome! The **draft framework** is pinned.\n\n- strand A\n- strand B" }, site.answerer.token);
  await api("POST", `/channels/${site.channel}/messages`, { body: "Thanks @answerer, reading it now." }, site.asker.token);
  await api("POST", `/channels/${site.channel}/messages`, { body: "Which grade band first?", parent_id: m1.id }, site.asker.token);
  await api("POST", `/messages/${m1.id}/reactions/${encodeURIComponent("👍")}`, null, site.asker.token);
  await api("POST", `/messages/${m1.id}/pin`, null, site.answerer.token);
  site.channelMessage = m1.id;
  // Moderation: a suspended person (with their history), a moderator's comment edit, and
  // the spam lists, so that the audit log and the admin's spam page have content.
  site.suspended = await signUp("suspended");
  const until = new Date(Date.now() + 3 * 24 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, "Z");
  await api("POST", `/moderation/users/${site.suspended.id}/suspend`, { until, reason: "Advertising in answers" }, site.admin.token);
  await api("PATCH", `/comments/${c.id}`, { body: "Which grade levels are you starting with, and when?" }, site.admin.token);
  await api("PUT", "/admin/spam", { words: ["casino", "buy essays"], domains: ["spam.example"] }, site.admin.token);
  await fillMeetings();
}

// A collaborative of its own (the collaboratives' pages have theirs) led by the asker,
// with the answerer as a member: a past meeting with agenda, notes and action items (one
// overdue), an upcoming one.
async function fillMeetings() {
  const slug = "pages-meetings";
  await api("POST", "/collaboratives", { slug, name: "Grading practices working group", description: "Meets each term.", visibility: "public" }, site.asker.token);
  await api("POST", `/collaboratives/${slug}/members`, { user_id: site.answerer.id, role: "member" }, site.asker.token);
  const past = await api("POST", `/collaboratives/${slug}/meetings`, {
    title: "Fall convening: report card drafts", starts_at: "2026-10-01T13:00:00-05:00", ends_at: "2026-10-01T16:00:00-05:00",
    time_zone: "America/Chicago", location: "Riverside Unified Central Office, Room 204", description: "Bring your *draft* report card.",
  }, site.asker.token);
  const next = await api("POST", `/collaboratives/${slug}/meetings`, {
    title: "Spring convening: pilot review", starts_at: "2030-04-02T09:00:00-05:00", ends_at: "2030-04-02T15:00:00-05:00",
    time_zone: "America/Chicago", video_url: "https://meet.example.org/grading",
  }, site.asker.token);
  await api("POST", `/meetings/${past.id}/agenda`, { title: "Report card layout", note: "Ten minutes" }, site.answerer.token);
  await api("POST", `/meetings/${past.id}/agenda`, { title: "Family night plan" }, site.asker.token);
  await api("POST", `/meetings/${next.id}/agenda`, { title: "Pilot reports" }, site.answerer.token);
  await api("PUT", `/meetings/${past.id}/notes`, { body: "## Decisions\n\n- One page per student, **standards** first.\n- Family night in January.", revision: 0 }, site.asker.token);
  await api("POST", `/collaboratives/${slug}/actions`, { title: "Translate the family guide", assignee_id: site.asker.id, due: "2026-10-15", meeting_id: past.id }, site.asker.token);
  await api("POST", `/collaboratives/${slug}/actions`, { title: "Book the library for family night", assignee_id: site.answerer.id, due: "2030-01-10" }, site.asker.token);
  site.meetings = { slug, past: past.id, next: next.id };
}

// failedForm posts a form that fails, as the browser of context, and returns the address
// its redirect shows the failure at (a page of its own, so it is checked like the others).
async function failedForm(context, path, form) {
  const me = await context.request.get("/api/v1/me");
  if (me.ok()) form = { _csrf: (await me.json()).csrf_token, ...form };
  const res = await context.request.post(path, { form, maxRedirects: 0 });
  const to = res.headers().location;
  if (res.status() !== 303 || !/[?]form=/.test(to || "")) throw new Error(`POST ${path}: ${res.status()} ${to}`);
  return to.split("#")[0];
}

// failurePages are the pages that show a failed form, for the person of context: each a
// function that posts the form and returns the address to check, right after.
function failurePages(context, signedIn) {
  const fail = (path, form) => () => failedForm(context, path, form);
  if (!signedIn) {
    return { "signup-failed": fail("/signup", { username: "a b", email: "nope", password: "short", password_confirm: "other" }) };
  }
  const q = site.question;
  return {
    "question-comment-failed": fail(`/posts/${site.answer.id}/comments`, { body: "short" }),
    "question-closed-kept": fail(`/questions/${site.closed.id}/answers`, { body: "Markers with a cap that clicks last longest for us." }),
    "ask-failed": fail("/questions/ask", { title: "Short", body: "short", tags: "" }),
    "edit-failed": fail(`/posts/${q.id}/edit`, { title: "Short", body: "short", tags: "", revision: "2" }),
    "flag-failed": fail(`/posts/${site.answer.id}/flags`, { reason: "other" }),
    "settings-failed": fail("/settings/password", { current_password: "wrong", new_password: "short", new_password_confirm: "other" }),
    "collaborative-new-failed": fail("/c/new", { slug: "Bad Slug", name: "x", visibility: "public" }),
    "collaborative-add-failed": fail("/c/ct-framework/members", { username: "nobody-here", role: "member" }),
    "meeting-schedule-failed": fail(`/c/${site.meetings.slug}/meetings`, { meeting_title: "", starts_at: "2030-05-01T10:00", ends_at: "2030-05-01T09:00", time_zone: "Nowhere/Land" }),
    "meeting-notes-conflict": fail(`/c/${site.meetings.slug}/meetings/${site.meetings.past}/notes`, { body: "An older draft", revision: "0" }),
    "meeting-action-failed": fail(`/c/${site.meetings.slug}/meetings/${site.meetings.past}/actions`, { action_title: "", due: "soon" }),
  };
}

// signedInContext signs who (asker unless said) in through the login page.
async function signedInContext(width, who = site.asker) {
  const context = await browser.newContext({ baseURL: server.baseURL, viewport: { width, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  await page.goto("/login");
  await page.fill("#f-login", who.username);
  await page.fill("#f-password", "correct horse battery staple");
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.locator("form[action='/login'] button[type=submit]").click()]);
  await page.close();
  return context;
}

function pagesToCheck() {
  const q = site.question;
  const slugged = `/questions/${q.id}/${q.slug || "q"}`;
  return {
    anonymous: {
      home: "/",
      "home-votes": "/?sort=votes",
      tags: "/tags",
      tag: "/tags/grading",
      question: slugged,
      profile: `/users/${site.answerer.id}/${site.answerer.username}`,
      revisions: `/posts/${q.id}/revisions`,
      districts: "/districts",
      "districts-filtered": "/districts?state=MI&locale=suburb",
      district: "/districts/riverside",
      cluster: "/clusters/great-lakes",
      search: "/search?q=families+grading",
      "search-help": "/search",
      login: "/login",
      signup: "/signup",
      "not-found": "/no/such/page",
      "password-reset": "/password-reset",
      "password-reset-link": site.reset,
      invite: site.invite,
      "invite-unknown": "/invite/no-such-invitation",
      collaboratives: "/c",
      "collaboratives-filtered": "/c?cluster=great-lakes&q=framework",
      collaborative: "/c/ct-framework",
      "collaborative-private-outside": "/c/ell-resources",
      "tag-curated": "/tags/grading/curated",
      channel: `/c/ct-framework/channels/${site.channel}`,
      meetings: `/c/${site.meetings.slug}/meetings`,
      meeting: `/c/${site.meetings.slug}/meetings/${site.meetings.past}`,
      "since-last-meeting": `/c/${site.meetings.slug}/since-last-meeting`,
    },
    signedin: {
      "home-signedin": "/",
      "question-signedin": slugged,
      ask: "/questions/ask",
      edit: `/posts/${q.id}/edit`,
      settings: "/settings",
      notifications: "/notifications",
      following: "/following",
      "notification-settings": "/settings/notifications",
      "search-signedin": "/search?q=report+-homework+%5Bgrading%5D&status=answered",
      "profile-own": `/users/${site.asker.id}/${site.asker.username}`,
      "collaboratives-mine": "/c?mine=1",
      "collaborative-new": "/c/new",
      "collaborative-lead": "/c/ct-framework",
      "collaborative-private-lead": "/c/ell-resources",
      "collaborative-settings": "/c/ct-framework/settings",
      flags: "/flags",
      "channel-signedin": `/c/ct-framework/channels/${site.channel}`,
      "channel-thread": `/c/ct-framework/channels/${site.channel}/threads/${site.channelMessage}`,
      "meetings-lead": `/c/${site.meetings.slug}/meetings`,
      "meeting-lead": `/c/${site.meetings.slug}/meetings/${site.meetings.past}`,
      "meeting-upcoming-lead": `/c/${site.meetings.slug}/meetings/${site.meetings.next}`,
      actions: "/actions",
      calendar: "/settings/calendar",
    },
    // A suspended person: the banner that says why and until when.
    suspended: {
      "suspended-home": "/",
      "suspended-settings": "/settings",
    },
    // The first account ("admin") runs the site: its welcome and the admin area.
    admin: {
      "admin-welcome": "/?done=welcome",
      "admin-settings": "/admin",
      "admin-people": "/admin/people",
      "admin-invites": "/admin/invites",
      "admin-tags": "/admin/tags",
      moderation: "/moderation",
      "moderation-flags": "/moderation?kind=flags",
      "question-moderator": slugged,
      "admin-spam": "/admin/spam",
      "moderation-audit": "/moderation/audit",
      "moderation-audit-filtered": `/moderation/audit?target=user:${site.suspended.id}`,
      "person-moderation": `/users/${site.suspended.id}/moderation`,
    },
  };
}

const problems = [];
// Moderate and minor findings don't fail the suite; they are printed to be looked at.
const notes = new Set();

async function checkPage(context, name, path, width) {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (err) => errors.push(err.message));
  const res = await page.goto(path);
  await page.waitForLoadState("load");
  if (width === widths[0]) {
    await writeFile(join(htmlDir, `${name}.html`), await res.text());
  }
  await page.screenshot({ path: join(shotDir, `${name}-${width}.png`), fullPage: true });

  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }),
  );
  for (const v of result.violations) {
    if (v.impact !== "serious" && v.impact !== "critical") {
      notes.add(`${name}: axe ${v.impact} ${v.id}: ${v.help}`);
    }
    if (v.impact === "serious" || v.impact === "critical") {
      const where = v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ");
      problems.push(`${name} @${width}px: axe ${v.impact} ${v.id}: ${v.help} (${where})`);
    }
  }
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 0) {
    // Name the outermost elements that stick out, to say where to look.
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll("body *")]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && e.parentElement.getBoundingClientRect().right <= window.innerWidth + 1)
        .slice(0, 4)
        .map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${e.className ? "." + String(e.className).split(" ").join(".") : ""}`),
    );
    problems.push(`${name} @${width}px: the page is ${overflow}px wider than the window (${wide.join(", ")})`);
  }
  for (const e of errors) problems.push(`${name} @${width}px: script error: ${e}`);
  await page.close();
}

describe("every main page is accessible, valid and fits a phone", () => {
  before(async () => {
    server = await startServer({ logName: "server-pages.log", env: { STAFFROOM_PRIVILEGES: "open" } });
    browser = await launchBrowser();
    await mkdir(htmlDir, { recursive: true });
    await mkdir(shotDir, { recursive: true });
    await fillSite();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("axe-core finds nothing serious and no page is wider than the screen", async () => {
    const pages = pagesToCheck();
    for (const width of widths) {
      const anon = await browser.newContext({ baseURL: server.baseURL, viewport: { width, height: 900 }, bypassCSP: true });
      const anonPages = { ...pages.anonymous, ...failurePages(anon, false) };
      for (const [name, path] of Object.entries(anonPages)) await checkPage(anon, name, typeof path === "string" ? path : await path(), width);
      await anon.close();
      const signed = await signedInContext(width);
      const signedPages = { ...pages.signedin, ...failurePages(signed, true) };
      for (const [name, path] of Object.entries(signedPages)) await checkPage(signed, name, typeof path === "string" ? path : await path(), width);
      await signed.close();
      const admin = await signedInContext(width, site.admin);
      const adminPages = {
        ...pages.admin,
        "tag-describable": "/tags/grading",
        // A description past 500 characters: the tag page with the form open at its error.
        "tag-describe-failed": () => failedForm(admin, "/tags/grading", { excerpt: "Rubrics and reassessment. ".repeat(25) }),
      };
      for (const [name, path] of Object.entries(adminPages)) await checkPage(admin, name, typeof path === "string" ? path : await path(), width);
      await admin.close();
      const suspended = await signedInContext(width, site.suspended);
      for (const [name, path] of Object.entries(pages.suspended)) await checkPage(suspended, name, path, width);
      await suspended.close();
    }
    for (const n of notes) console.log(`# note: ${n}`);
    assert.deepEqual(problems, []);
  });

  test("math is typeset with the embedded KaTeX, which only pages with math load", async () => {
    const context = await browser.newContext({ baseURL: server.baseURL });
    const page = await context.newPage();
    const fetched = [];
    page.on("request", (r) => fetched.push(new URL(r.url()).pathname));
    const failed = [];
    // A request the next navigation cut short (the favicon of /tags, fetched after its
    // load) did not fail to load: counting it made this test fail by the clock.
    page.on("requestfailed", (r) => r.failure()?.errorText !== "net::ERR_ABORTED" && failed.push(r.url()));
    page.on("console", (m) => m.type() === "error" && failed.push(m.text()));
    await page.goto("/tags");
    await page.waitForLoadState("load");
    assert.equal(fetched.filter((p) => p.includes("katex")).length, 0, "a page without math loaded KaTeX");
    await page.goto(`/questions/${site.question.id}`);
    await page.locator(".math-inline .katex").first().waitFor();
    assert.match(await page.locator(".math-inline .katex-mathml annotation").first().textContent(), /\\frac\{1\}\{n\}/);
    await page.evaluate(() => document.fonts.ready);
    assert.ok(fetched.some((p) => /KaTeX_Main-Regular\.[0-9a-f]{8}\.woff2$/.test(p)), "KaTeX's fonts come from this site, hashed");
    assert.deepEqual(failed, []);
    await page.screenshot({ path: join(shotDir, "math.png") });
    await context.close();
  });

  test("the Nu HTML Checker finds no error in the HTML the server sent", async () => {
    const run = promisify(execFile);
    let out;
    try {
      out = await run("java", ["-jar", vnuJar, "--format", "json", "--skip-non-html", htmlDir], { maxBuffer: 16 << 20 });
    } catch (err) {
      out = err; // vnu exits 1 when it reports errors; the JSON is on stderr either way
    }
    const report = JSON.parse(out.stderr || "{}");
    const errors = (report.messages || [])
      .filter((m) => m.type === "error" || m.subType === "fatal")
      .map((m) => `${m.url.split("/").pop()}:${m.lastLine}: ${m.message}`);
    assert.deepEqual(errors, []);
  });
});
