// Channels in the browser: two members of a private collaborative chat in #general, and
// each sees the other's messages, replies and reactions arrive without a reload; a
// non-member gets the 404 page.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { makeCollaborative } from "./lib/collaboratives.mjs";
import { launchBrowser, newSession, screenshot } from "./lib/browser.mjs";
import { startServer } from "./lib/server.mjs";

let server;
let browser;
let channel;
const people = {};

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
  return { context, page, problems, id: user.id, token };
}

async function openLive(page, path) {
  await page.goto(path);
  await page.locator("#channel[data-live-state='live']").waitFor();
  await page.evaluate(() => { window.__notReloaded = true; });
}

describe("channels", () => {
  before(async () => {
    server = await startServer({ logName: "channels-server.log" });
    browser = await launchBrowser();
    people.admin = await signUp("admin");
    people.ana = await signUp("ana");
    people.ben = await signUp("ben");
    people.cal = await signUp("cal");
    channel = await makeCollaborative(server, "ell-resources", "private", people.ana, [people.ben]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("two members chat live", async () => {
    const path = `/c/ell-resources/channels/${channel}`;
    const { ana, ben } = people;
    await openLive(ana.page, path);
    await openLive(ben.page, path);

    // Ana writes; Ben sees it without reloading.
    await ana.page.fill("#message-body", "Has anyone tried **sentence frames** with newcomers?");
    await ana.page.keyboard.press("Enter");
    const onBen = ben.page.locator("#messages .message", { hasText: "sentence frames" });
    await onBen.waitFor();
    assert.equal(await onBen.locator("strong").textContent(), "sentence frames");
    assert.equal(await ana.page.inputValue("#message-body"), "", "the box is cleared once sent");

    // Ben answers with the button; Ana sees it.
    await ben.page.fill("#message-body", "Yes, with a word bank beside them.");
    await ben.page.click("#message-form button[type=submit]");
    await ana.page.locator("#messages .message", { hasText: "word bank" }).waitFor();

    // Ben reacts through the API; Ana sees the count.
    const id = await onBen.getAttribute("data-id");
    const r = await fetch(`${server.baseURL}/api/v1/messages/${id}/reactions/${encodeURIComponent("🎉")}`, { method: "POST", headers: { Authorization: `Bearer ${ben.token}` } });
    assert.equal(r.status, 200);
    await ana.page.locator(`[id='m${id}'] .message-reactions`, { hasText: "🎉 1" }).waitFor();

    // A reply in the thread shows as a reply count in the channel.
    const reply = await fetch(`${server.baseURL}/api/v1/channels/${channel}/messages`, {
      method: "POST", headers: { Authorization: `Bearer ${ben.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ body: "More in the thread", parent_id: Number(id) }),
    });
    assert.equal(reply.status, 201);
    await ana.page.locator(`[id='m${id}'] .thread-link`, { hasText: "1 reply" }).waitFor();

    for (const p of [ana, ben]) {
      assert.equal(await p.page.evaluate(() => window.__notReloaded), true, "the page was not reloaded");
      assert.deepEqual(p.problems, []);
    }
    await screenshot(ana.page, "channel-live");
  });

  test("a non-member gets the 404 page", async () => {
    const res = await people.cal.page.goto(`/c/ell-resources/channels/${channel}`);
    assert.equal(res.status(), 404);
    assert.equal(await people.cal.page.locator("text=Has anyone tried").count(), 0);
  });
});
