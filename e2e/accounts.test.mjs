// Accounts, end to end in a real browser: sign up, sign out, sign in, validation,
// API tokens, the admin's profile, and the 404 page. One server and one browser for the
// file; each test has its own browser context (its own cookies). The tests run in order
// and share the accounts the first ones create.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { launchBrowser, newSession, screenshot } from "./lib/browser.mjs";
import { startServer } from "./lib/server.mjs";

const admin = {
  username: "rivera",
  displayName: "Ms. Rivera",
  email: "rivera@district.example.org",
  password: "correct horse battery staple",
};
const teacher = {
  username: "okafor",
  displayName: "Coach Okafor",
  email: "okafor@district.example.org",
  password: "three unrelated words",
};

let server;
let browser;
const contexts = new Set();

// Every test opens its pages through here, so that script errors on any page fail it.
async function openPage(t) {
  const context = await newSession(browser, server.baseURL);
  contexts.add(context);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    // Chromium logs a 4xx document (a form re-rendered with its errors, the 404 page) as a
    // failed load; only failed subresources (CSS, scripts, images) are problems.
    if (msg.text().startsWith("Failed to load resource") && msg.location().url === page.url()) return;
    problems.push(`console error: ${msg.text()} (${msg.location().url || page.url()})`);
  });
  t.after(async () => {
    contexts.delete(context);
    await context.close();
  });
  return { page, context, problems };
}

/**
 * Clicks a form's submit button and waits until the browser shows the page that answered:
 * the redirect's target, which after a failure is the form's page again with its errors
 * (post/redirect/get). Returns that page's status (status()) and the POST's own response
 * (posted: a 303, unless the page was drawn in place). scope narrows where the button is
 * looked for.
 */
async function submit(page, buttonName, scope = page) {
  const nav = (r) => r.request().isNavigationRequest() && r.frame() === page.mainFrame();
  const posted = page.waitForResponse((r) => nav(r) && r.request().method() === "POST");
  const shown = page.waitForResponse((r) => nav(r) && (r.status() < 300 || r.status() >= 400));
  const navigated = page.waitForEvent("framenavigated", { predicate: (f) => f === page.mainFrame() });
  await scope.getByRole("button", { name: buttonName, exact: true }).click();
  const response = await posted;
  const final = await shown;
  await navigated;
  await page.waitForLoadState("load");
  return { posted: response, status: () => final.status() };
}

// The address a failed form leaves the browser at: its own page, with the failure's id.
const failedAt = (pagePath) => new RegExp(`^${pagePath.replace(/[?/]/g, "\\$&")}\\?form=[0-9a-f]{32}$`);

async function fillSignup(page, { username, displayName, email, password, confirm }) {
  await page.fill("#f-username", username);
  await page.fill("#f-display_name", displayName);
  await page.fill("#f-email", email);
  await page.fill("#f-password", password);
  await page.fill("#f-password_confirm", confirm ?? password);
}

async function signIn(page, login, password, path = "/login") {
  await page.goto(path);
  await page.fill("#f-login", login);
  await page.fill("#f-password", password);
  return submit(page, "Sign in");
}

async function signUp(page, user) {
  await page.goto("/signup");
  await fillSignup(page, user);
  return submit(page, "Create account");
}

const text = async (locator) => (await locator.innerText()).trim();

// The name in the header's account menu, or null when the page shows a signed-out header.
async function signedInAs(page) {
  const me = page.locator(".user-menu a.me .me-name");
  if ((await me.count()) === 0) return null;
  return text(me);
}

function path(page) {
  const u = new URL(page.url());
  return u.pathname + u.search;
}

describe("accounts in the browser", () => {
  before(
    async () => {
      const [s, b] = await Promise.allSettled([startServer(), launchBrowser()]);
      server = s.value;
      browser = b.value;
      if (s.status === "rejected") throw s.reason;
      if (b.status === "rejected") throw b.reason;
    },
    { timeout: 5 * 60_000 }, // a cold go build compiles SQLite
  );

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.stop();
  });

  test("signing up through the page lands on the home page, signed in and welcomed", async (t) => {
    const { page, problems } = await openPage(t);
    await page.goto("/");
    assert.equal(await signedInAs(page), null);
    await page.locator(".user-menu").getByRole("link", { name: "Sign up" }).click();
    await page.waitForURL("**/signup");
    assert.equal(await text(page.locator("h1")), "Join Staffroom");
    await fillSignup(page, admin);
    await screenshot(page, "01-signup");

    const res = await submit(page, "Create account");
    assert.equal(res.posted.status(), 303);
    assert.equal(path(page), "/?done=welcome");
    assert.equal(await text(page.locator(".flash")), "Welcome to Staffroom! Your account is ready.");
    const menu = page.locator(".user-menu");
    assert.equal(await signedInAs(page), admin.displayName);
    assert.equal(await menu.getByRole("link", { name: "Settings" }).count(), 1);
    assert.equal(await menu.locator('form[action="/logout"]').getByRole("button", { name: "Sign out" }).count(), 1);
    assert.equal(await menu.getByRole("link", { name: "Sign in" }).count(), 0);
    await screenshot(page, "02-home-welcome");

    // A signed-in visitor is sent away from the signup page.
    await page.goto("/signup");
    assert.equal(path(page), "/");
    assert.deepEqual(problems, []);
  });

  test("signing out shows the signed-out flash and forgets the session", async (t) => {
    const { page, context, problems } = await openPage(t);
    await signIn(page, admin.username, admin.password);
    assert.equal(await signedInAs(page), admin.displayName);

    const res = await submit(page, "Sign out");
    assert.equal(res.posted.status(), 303);
    assert.equal(path(page), "/login?done=signedout");
    assert.equal(await text(page.locator(".flash")), "You are signed out.");
    assert.equal(await signedInAs(page), null);
    assert.equal(await page.locator(".user-menu").getByRole("link", { name: "Sign in" }).count(), 1);
    await screenshot(page, "03-login-signed-out");

    const me = await context.request.get("/api/v1/me");
    assert.equal(me.status(), 401);
    await page.goto("/settings");
    assert.equal(path(page), "/login?next=%2Fsettings");
    assert.deepEqual(problems, []);
  });

  test("signing in works with the username and with the email, and honours next", async (t) => {
    const { page, problems } = await openPage(t);
    let res = await signIn(page, admin.username, admin.password);
    assert.equal(res.posted.status(), 303);
    assert.equal(path(page), "/");
    assert.equal(await signedInAs(page), admin.displayName);
    await submit(page, "Sign out");
    assert.equal(await signedInAs(page), null);

    res = await signIn(page, admin.email, admin.password);
    assert.equal(res.posted.status(), 303);
    assert.equal(path(page), "/");
    assert.equal(await signedInAs(page), admin.displayName);
    await submit(page, "Sign out");

    // A page that needs an account sends the visitor to sign in and then back.
    await page.goto("/settings");
    assert.equal(path(page), "/login?next=%2Fsettings");
    await page.fill("#f-login", admin.username);
    await page.fill("#f-password", admin.password);
    await submit(page, "Sign in");
    assert.equal(path(page), "/settings");
    assert.equal(await text(page.locator("h1")), "Settings");
    assert.deepEqual(problems, []);
  });

  test("a wrong password shows the error and stays signed out", async (t) => {
    const { page, context, problems } = await openPage(t);
    const res = await signIn(page, admin.username, "not the password at all");
    assert.equal(res.status(), 401);
    assert.match(path(page), failedAt("/login"), "the address is the sign-in page's, not the POST's");
    assert.equal(await text(page.locator(".form-error")), "Wrong username, email or password.");
    assert.equal(await page.inputValue("#f-login"), admin.username, "the login is kept");
    assert.equal(await page.inputValue("#f-password"), "", "the password is not echoed back");
    assert.equal(await signedInAs(page), null);
    await screenshot(page, "04-login-wrong-password");

    // An unknown account reads exactly the same.
    const res2 = await signIn(page, "nobody-here", "whatever whatever");
    assert.equal(res2.status(), 401);
    assert.equal(await text(page.locator(".form-error")), "Wrong username, email or password.");

    assert.equal((await context.request.get("/api/v1/me")).status(), 401);
    assert.deepEqual(problems, []);
  });

  test("signup errors are shown next to their field", async (t) => {
    const { page, problems } = await openPage(t);
    const errorOf = (name) => page.locator(`.field:has(#f-${name}) .field-error`);

    // Too short a password.
    let res = await signUp(page, { ...teacher, password: "short", confirm: "short" });
    assert.equal(res.status(), 400);
    assert.match(path(page), failedAt("/signup"));
    assert.equal(await errorOf("password").count(), 1);
    assert.match(await text(errorOf("password")), /10/);
    assert.equal(await page.getAttribute("#f-password", "aria-invalid"), "true");
    assert.equal(await page.locator(".field-error").count(), 1, "only the password is wrong");
    assert.equal(await page.inputValue("#f-username"), teacher.username, "entries are kept");
    assert.equal(await page.inputValue("#f-email"), teacher.email);
    assert.equal(await page.inputValue("#f-password"), "", "passwords are not echoed back");
    assert.equal(await signedInAs(page), null);
    await screenshot(page, "05-signup-short-password");

    // The repeat does not match.
    res = await signUp(page, { ...teacher, confirm: teacher.password + "!" });
    assert.equal(res.status(), 400);
    assert.equal(await errorOf("password_confirm").count(), 1);
    assert.equal(await text(errorOf("password_confirm")), "The two passwords do not match.");
    assert.equal(await errorOf("password").count(), 0);
    await screenshot(page, "06-signup-mismatch");

    // The first account's username is taken, whatever the rest.
    res = await signUp(page, { ...teacher, username: admin.username });
    assert.equal(res.status(), 409);
    assert.equal(await errorOf("username").count(), 1);
    assert.match(await text(errorOf("username")), /^That username is taken/);
    assert.equal(await signedInAs(page), null);
    await screenshot(page, "07-signup-username-taken");

    // And the same form, corrected, goes through.
    res = await signUp(page, teacher);
    assert.equal(res.posted.status(), 303);
    assert.equal(await signedInAs(page), teacher.displayName);
    assert.deepEqual(problems, []);
  });

  test("an API token from the settings page is shown once and works as a bearer token", async (t) => {
    const { page, problems } = await openPage(t);
    await signIn(page, admin.username, admin.password);
    await page.locator(".user-menu").getByRole("link", { name: "Settings" }).click();
    await page.waitForURL("**/settings");
    for (const id of ["profile", "password", "sessions", "tokens"]) {
      assert.equal(await page.locator(`section#${id}`).count(), 1, `section #${id}`);
    }
    assert.equal(await page.locator(".new-token").count(), 0);

    await page.fill("#f-name", "e2e grading script");
    const res = await submit(page, "Create token");
    assert.ok(res.status() < 400, `creating the token answered ${res.status()}`);
    const box = page.locator(".new-token");
    await box.waitFor();
    assert.match(await text(box), /e2e grading script/);
    const token = await box.locator("input.token-value").inputValue();
    assert.match(token, /^sr_\S{16,}$/);
    await screenshot(page, "08-settings-new-token");

    const me = (auth) =>
      fetch(`${server.baseURL}/api/v1/me`, { headers: auth ? { Authorization: `Bearer ${auth}` } : {} });
    let r = await me(token);
    assert.equal(r.status, 200);
    const body = await r.json();
    assert.equal(body.user.username, admin.username);
    assert.equal(body.user.display_name, admin.displayName);
    assert.equal((await me(null)).status, 401);
    assert.equal((await me(token + "x")).status, 401);

    // Shown once: a reload lists the token by name but no longer shows its secret.
    await page.goto("/settings");
    assert.equal(await page.locator(".new-token").count(), 0);
    assert.equal((await page.content()).includes(token), false, "the secret is not on the page again");
    const row = page.locator("#tokens tr", { hasText: "e2e grading script" });
    assert.equal(await row.count(), 1);

    // Revoking asks first: dismissing keeps the token, accepting revokes it.
    const dismissed = page.waitForEvent("dialog").then(async (d) => {
      assert.equal(d.type(), "confirm");
      await d.dismiss();
    });
    await row.getByRole("button", { name: "Revoke" }).click();
    await dismissed;
    assert.equal((await me(token)).status, 200, "a dismissed confirm revokes nothing");

    page.once("dialog", (d) => d.accept());
    const revoked = await submit(page, "Revoke", row);
    assert.equal(revoked.posted.status(), 303);
    assert.equal(await text(page.locator(".flash")), "The token is revoked.");
    assert.equal(await page.locator("#tokens tr", { hasText: "e2e grading script" }).count(), 0);
    assert.equal((await me(token)).status, 401, "a revoked token no longer works");
    assert.deepEqual(problems, []);
  });

  test("the first account's profile says Administrator; a later one's does not", async (t) => {
    const { page, problems } = await openPage(t);
    await signIn(page, admin.username, admin.password);
    await page.locator(".user-menu a.me").click();
    await page.waitForURL(/\/users\/\d+\/rivera$/);
    assert.equal(await text(page.locator("h1")), admin.displayName);
    assert.equal(await text(page.locator(".pill-admin")), "Administrator");
    await screenshot(page, "09-profile-admin");

    const r = await fetch(`${server.baseURL}/api/v1/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ login: teacher.username, password: teacher.password }),
    });
    assert.equal(r.status, 200);
    const { user } = await r.json();
    await page.goto(`/users/${user.id}/${user.username}`);
    assert.equal(await text(page.locator("h1")), teacher.displayName);
    assert.equal(await page.getByText("Administrator", { exact: true }).count(), 0);
    assert.deepEqual(problems, []);
  });

  test("an unknown page is the HTML 404 page", async (t) => {
    const { page, problems } = await openPage(t);
    const res = await page.goto("/no/such/page");
    assert.equal(res.status(), 404);
    assert.match(res.headers()["content-type"], /^text\/html/);
    assert.equal(await text(page.locator("h1")), "Page not found");
    await screenshot(page, "10-not-found");

    const missingUser = await page.goto("/users/999999/nobody");
    assert.equal(missingUser.status(), 404);
    assert.equal(await text(page.locator("h1")), "Page not found");
    assert.deepEqual(problems, []);
  });
});
