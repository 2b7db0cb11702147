// The people a test needs: made through the JSON API (quick), or through the sign-up page
// in a browser context of their own.
import { newSession } from "./browser.mjs";

/** The password every test account has. */
export const password = "correct horse battery staple";

/**
 * Returns api(method, path, body, token) for the JSON API under baseURL/api/v1: a bearer
 * client when token is given. It throws on any answer of 300 or more.
 */
export function apiOf(baseURL) {
  return async function api(method, path, body, token) {
    const headers = { "Content-Type": "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    const res = await fetch(`${baseURL}/api/v1${path}`, { method, headers, body: body && JSON.stringify(body) });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

/** Signs username up through the API; returns { id, username, token }. */
export async function signUpByAPI(api, username) {
  const r = await api("POST", "/auth/signup", {
    username,
    email: `${username}@district.example.org`,
    password,
    display_name: `Teacher ${username}`,
  });
  return { id: r.user.id, username, token: r.token };
}

/**
 * Signs name up through the sign-up page in a new browser context. Returns { context, page,
 * problems (script errors seen on its pages), user, csrf }.
 */
export async function signUpInBrowser(browser, baseURL, name) {
  const context = await newSession(browser, baseURL);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  await page.goto("/signup");
  await page.fill("#f-username", name);
  await page.fill("#f-display_name", `Teacher ${name}`);
  await page.fill("#f-email", `${name}@district.example.org`);
  await page.fill("#f-password", password);
  await page.fill("#f-password_confirm", password);
  await Promise.all([page.waitForURL("**/?done=welcome"), page.getByRole("button", { name: "Create account" }).click()]);
  const me = await (await context.request.get("/api/v1/me")).json();
  return { context, page, problems, user: me.user, csrf: me.csrf_token };
}
