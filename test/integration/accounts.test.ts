import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../helpers/app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ TUBELET_LOGIN_LIMIT_PER_ACCOUNT: "3", TUBELET_LOGIN_LIMIT_PER_IP: "6" });
});
afterAll(() => t.close());

const countRows = async (table: string) => Number((await t.db.sql.unsafe(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n);

describe("registration", () => {
  test("creates the account and a default channel, and logs in", async () => {
    const c = t.client();
    await c.page("/register");
    const res = await c.submit("/register", { username: "Alice", email: "alice@example.org", password: "tea and biscuits", displayName: "Alice A." });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/a/alice");
    expect(c.cookies.get("tubelet_session")).toBeString();
    const account = await c.page("/a/alice");
    expect(account.status).toBe(200);
    expect(account.html).toContain("Alice A.");
    expect(account.html).toContain('href="/c/alice_channel"');
    const home = await c.page("/");
    expect(home.html).toContain('action="/logout"');
  });

  test("duplicate username and e-mail get field messages and write nothing", async () => {
    const before = [await countRows("actors"), await countRows("users"), await countRows("channels")];
    const c = t.client();
    await c.page("/register");
    let res = await c.submit("/register", { username: "alice", email: "other@example.org", password: "tea and biscuits" });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("That name is already used by an account or a channel.");
    res = await c.submit("/register", { username: "alice2", email: "ALICE@example.org", password: "tea and biscuits" });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("An account with this e-mail address already exists.");
    expect([await countRows("actors"), await countRows("users"), await countRows("channels")]).toEqual(before);
  });

  test("a username cannot take a channel's handle", async () => {
    const c = t.client();
    await c.page("/register");
    const res = await c.submit("/register", { username: "alice_channel", email: "ac@example.org", password: "tea and biscuits" });
    expect(res.status).toBe(409);
  });

  test("reserved, malformed and oversize fields, weak passwords: all reported at once", async () => {
    const c = t.client();
    await c.page("/register");
    const res = await c.submit("/register", { username: "admin", email: "nope", password: "short", displayName: "x".repeat(121) });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("&quot;admin&quot; is reserved.");
    expect(html).toContain("Enter an e-mail address like name@example.org.");
    expect(html).toContain("Use at least 8 characters.");
    expect(html).toContain("Display name has 121 characters; the limit is 120.");
    expect(html).toContain('value="nope"'); // what was typed is kept
  });

  test("user text is escaped on every page", async () => {
    const c = t.client();
    await c.page("/register");
    const res = await c.submit("/register", { username: "mallory", email: "m@example.org", password: "tea and biscuits", displayName: "<script>alert(1)</script>" });
    expect(res.status).toBe(303);
    const page = await c.page("/a/mallory");
    // Inside a quoted attribute (the feed links' titles) the text cannot open a tag; everywhere else it must be inert.
    expect(page.html.replace(/"[^"]*"/g, '""')).not.toContain("<script>alert(1)</script>");
    expect(page.html).toContain("<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>");
  });

  test("the availability check answers as the person types", async () => {
    const c = t.client();
    expect(await (await c.fetch("/handles/check?field=username&username=alice")).text()).toContain("already used");
    expect(await (await c.fetch("/handles/check?field=username&username=fresh.name")).text()).toContain("@fresh.name is available.");
    expect(await (await c.fetch("/handles/check?field=handle&handle=Bad!")).text()).toContain("Use only lower-case letters");
  });
});

describe("signup settings", () => {
  test("closed registration refuses with 403 and creates nothing", async () => {
    const closed = await createTestApp({ TUBELET_SIGNUP: "closed" });
    try {
      const c = closed.client();
      expect((await c.page("/register")).html).toContain("Registration is closed on this instance.");
      const res = await c.submit("/register", { username: "bob", email: "bob@example.org", password: "tea and biscuits" });
      expect(res.status).toBe(403);
      expect((await closed.db.sql`SELECT count(*)::int AS n FROM users`)[0]!.n).toBe(0);
    } finally {
      await closed.close();
    }
  });

  test("approval: the account waits until an administrator approves it", async () => {
    const app = await createTestApp({ TUBELET_SIGNUP: "approval" });
    try {
      const c = app.client();
      await c.page("/register");
      const res = await c.submit("/register", { username: "carol", email: "carol@example.org", password: "tea and biscuits" });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("An administrator will approve it");
      const login = await c.login("carol", "tea and biscuits");
      expect(login.status).toBe(403);
      expect(await login.text()).toContain("waiting for an administrator");

      const admin = await app.createUser("root_admin", { role: "admin" });
      const a = app.client("198.51.100.1");
      expect((await a.login(admin.username, admin.password)).status).toBe(303);
      const list = await a.page("/admin/users");
      expect(list.html).toContain("carol");
      // The administration pages link to each other.
      expect(list.html).toContain('<a href="/admin/users" aria-current="page">Accounts</a>');
      for (const other of ["/admin/p2p", "/admin/federation"]) {
        expect(list.html).toContain(`<a href="${other}">`);
        expect((await a.page(other)).html).toContain(`<a href="${other}" aria-current="page">`);
      }
      const id = /action="\/admin\/users\/(\d+)\/approve"/.exec(list.html)![1];
      expect((await a.submit(`/admin/users/${id}/approve`, {})).status).toBe(303);
      expect((await c.login("carol", "tea and biscuits")).status).toBe(303);

      // Approving is for administrators only.
      const d = app.client("198.51.100.2");
      await d.login("carol", "tea and biscuits");
      expect((await d.submit(`/admin/users/${id}/approve`, {})).status).toBe(403);
    } finally {
      await app.close();
    }
  });
});

describe("login and sessions", () => {
  test("wrong password and unknown user get the same generic message", async () => {
    const c = t.client("192.0.2.10");
    const wrong = await c.login("alice", "not the password");
    const unknown = await c.login("nobody_here", "whatever123");
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.text()).toContain("Wrong username or password.");
    expect(await unknown.text()).toContain("Wrong username or password.");
  });

  test("log in by e-mail, log out ends the session", async () => {
    const c = t.client("192.0.2.11");
    expect((await c.login("alice@example.org", "tea and biscuits")).status).toBe(303);
    const session = c.cookies.get("tubelet_session")!;
    expect((await c.page("/my/channels")).status).toBe(200);
    expect((await c.submit("/logout", {})).status).toBe(303);
    expect(c.cookies.has("tubelet_session")).toBe(false);
    // The old cookie no longer works even if someone kept it.
    c.cookies.set("tubelet_session", session);
    const after = await c.fetch("/my/channels");
    expect(after.status).toBe(303);
    expect(after.headers.get("location")).toBe("/login?next=%2Fmy%2Fchannels&expired=1");
  });

  test("an expired session sends the person to log in again with a notice", async () => {
    const c = t.client("192.0.2.12");
    await c.login("alice", "tea and biscuits");
    await t.db.sql`UPDATE sessions SET expires_at = now() - interval '1 second'`;
    const res = await c.fetch("/my/channels");
    expect(res.status).toBe(303);
    const login = await c.page(res.headers.get("location")!);
    expect(login.html).toContain("Your session has expired. Please log in again.");
  });

  test("a form without the CSRF token, or with another one, is refused and changes nothing", async () => {
    const c = t.client("192.0.2.13");
    await c.login("alice", "tea and biscuits");
    const before = await countRows("channels");
    const missing = await c.fetch("/my/channels", {
      method: "POST",
      body: new URLSearchParams({ handle: "csrf_test", displayName: "x" }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(missing.status).toBe(403);
    expect(await missing.text()).toContain("This form has expired or came from another site.");
    const forged = await c.submit("/my/channels", { _csrf: "A".repeat(43), handle: "csrf_test", displayName: "x" });
    expect(forged.status).toBe(403);
    expect(await countRows("channels")).toBe(before);
  });

  test("failed logins are limited per account, even for the right password afterwards", async () => {
    const victim = await t.createUser("victim");
    const attempts = [t.client("192.0.2.20"), t.client("192.0.2.21"), t.client("192.0.2.22")];
    for (const c of attempts) expect((await c.login("victim", "guess-guess-guess")).status).toBe(401);
    const blocked = await t.client("192.0.2.23").login("victim", victim.password);
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toMatch(/Too many failed logins\. Try again in \d+ minutes?\./);
  });

  test("failed logins are limited per IP across accounts", async () => {
    const c = t.client("192.0.2.30");
    for (let i = 0; i < 6; i++) expect((await c.login(`someone${i}`, "guess-guess-guess")).status).toBe(401);
    expect((await c.login("alice", "tea and biscuits")).status).toBe(429);
    // Another address is not affected.
    expect((await t.client("192.0.2.31").login("alice", "tea and biscuits")).status).toBe(303);
  });

  test("login redirects only to local paths", async () => {
    const c = t.client("192.0.2.40");
    await c.page("/login");
    const res = await c.submit("/login", { login: "alice", password: "tea and biscuits", next: "//evil.example/x" });
    expect(res.headers.get("location")).toBe("/");
  });

  test("session cookie is HttpOnly and SameSite=Lax", async () => {
    const c = t.client("192.0.2.41");
    await c.page("/login");
    const res = await c.submit("/login", { login: "alice", password: "tea and biscuits", next: "/" });
    const cookie = res.headers.getSetCookie().find((l) => l.startsWith("tubelet_session="))!;
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).not.toContain("Secure"); // http public URL
  });
});

describe("pages", () => {
  test("unknown pages get a friendly 404", async () => {
    const res = await t.client().page("/definitely/not/here");
    expect(res.status).toBe(404);
    expect(res.html).toContain("Page not found");
    expect(res.html).toContain("Back to the home page");
  });

  test("an oversized body is refused before it is read", async () => {
    const res = await t.client().fetch("/login", {
      method: "POST",
      body: "x".repeat(2_000_000),
      headers: { "content-type": "application/x-www-form-urlencoded", "content-length": "2000000" },
    });
    expect(res.status).toBe(413);
    expect(await res.text()).toContain("the limit here is 1048576 bytes");
  });
});
