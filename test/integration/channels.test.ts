import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { createTestApp, type TestApp, type TestClient } from "../helpers/app.ts";

let t: TestApp;
let owner: TestClient;
let other: TestClient;
let admin: TestClient;

beforeAll(async () => {
  t = await createTestApp();
  const [o, x, a] = await Promise.all([t.createUser("owner"), t.createUser("other"), t.createUser("boss", { role: "admin" })]);
  owner = t.client("198.51.100.10");
  other = t.client("198.51.100.11");
  admin = t.client("198.51.100.12");
  await owner.login(o.username, o.password);
  await other.login(x.username, x.password);
  await admin.login(a.username, a.password);
});
afterAll(() => t.close());

async function pngBytes(): Promise<Uint8Array<ArrayBuffer>> {
  const proc = Bun.spawn(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=red:s=320x200", "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "pipe:1"], { stdout: "pipe" });
  const bytes = new Uint8Array(await new Response(proc.stdout).arrayBuffer());
  expect(await proc.exited).toBe(0);
  return bytes;
}

function upload(client: TestClient, handle: string, file: Blob, name = "a.png") {
  const form = new FormData();
  form.set("_csrf", client.csrf);
  form.set("avatar", file, name);
  return client.fetch(`/c/${handle}/avatar`, { method: "POST", body: form });
}

describe("channels", () => {
  test("create shows up on the channel page and the owner's list", async () => {
    const res = await owner.submit("/my/channels", { handle: "cooking", displayName: "Cooking <b>fun</b>", description: "Recipes\nevery week", support: "Tip jar" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/c/cooking");
    const page = await owner.page("/c/cooking");
    expect(page.status).toBe(200);
    expect(page.html).toContain("Cooking &lt;b&gt;fun&lt;/b&gt;");
    expect(page.html).toContain("@cooking@localhost:9000");
    expect(page.html).toContain('href="/c/cooking/edit"');
    expect((await owner.page("/my/channels")).html).toContain('href="/c/cooking"');
    // Visitors see the page without the edit button.
    const visitor = await t.client().page("/c/cooking");
    expect(visitor.status).toBe(200);
    expect(visitor.html).not.toContain("/c/cooking/edit");
  });

  test("a taken or malformed handle is refused with a message beside the field", async () => {
    let res = await owner.submit("/my/channels", { handle: "other", displayName: "Clash" });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("That name is already used by an account or a channel.");
    res = await owner.submit("/my/channels", { handle: "Bad Handle", displayName: "" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("Use only lower-case letters");
    expect(html).toContain("Display name cannot be empty.");
  });

  test("creating needs a login", async () => {
    const anonymous = t.client();
    await anonymous.page("/");
    const res = await anonymous.submit("/my/channels", { handle: "sneaky", displayName: "Sneaky" });
    expect(res.status).toBe(401);
  });

  test("edit by the owner is saved", async () => {
    await owner.page("/c/cooking/edit");
    const res = await owner.submit("/c/cooking/edit", { displayName: "Cooking", description: "New text", support: "" });
    expect(res.status).toBe(303);
    const page = await owner.page("/c/cooking");
    expect(page.html).toContain("New text");
  });

  test("a non-owner gets 403 on every change and nothing changes", async () => {
    expect((await other.page("/c/cooking/edit")).status).toBe(403);
    expect((await other.submit("/c/cooking/edit", { displayName: "Hijacked", description: "", support: "" })).status).toBe(403);
    expect((await other.submit("/c/cooking/delete", {})).status).toBe(403);
    expect((await upload(other, "cooking", new Blob([await pngBytes()], { type: "image/png" }))).status).toBe(403);
    const page = await t.client().page("/c/cooking");
    expect(page.html).toContain("<h1>Cooking</h1>");
  });

  test("an administrator may edit any channel", async () => {
    await admin.page("/c/cooking/edit");
    expect((await admin.submit("/c/cooking/edit", { displayName: "Cooking", description: "Moderated", support: "" })).status).toBe(303);
  });

  test("an avatar is resized to a square JPEG and replaces the previous one", async () => {
    await owner.page("/c/cooking/edit");
    const bytes = await pngBytes();
    expect((await upload(owner, "cooking", new Blob([bytes], { type: "image/png" }))).status).toBe(303);
    const first = /<img class="avatar" src="(\/static\/avatars\/[^"]+\.jpg)"/.exec((await owner.page("/c/cooking")).html)![1]!;
    const image = await owner.fetch(first);
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/jpeg");
    const saved = new Uint8Array(await image.arrayBuffer());
    expect([saved[0], saved[1]]).toEqual([0xff, 0xd8]);
    const probe = Bun.spawnSync(["ffprobe", "-v", "error", "-show_entries", "stream=width,height", "-of", "csv=p=0", join(t.config.dataDir, first.slice(8))]);
    expect(probe.stdout.toString().trim()).toBe("240,240");

    expect((await upload(owner, "cooking", new Blob([bytes], { type: "image/png" }))).status).toBe(303);
    expect(await readdir(join(t.config.dataDir, "avatars"))).toHaveLength(1);
    expect(await readdir(join(t.config.dataDir, "tmp"))).toHaveLength(0);
  });

  test("a file that is not an image is refused and leaves no file behind", async () => {
    await owner.page("/c/cooking/edit");
    const res = await upload(owner, "cooking", new Blob(["definitely not an image"], { type: "image/png" }));
    expect(res.status).toBe(415);
    expect(await res.text()).toContain("That file is not an image we can read.");
    expect(await readdir(join(t.config.dataDir, "avatars"))).toHaveLength(1);
    expect(await readdir(join(t.config.dataDir, "tmp"))).toHaveLength(0);
  });

  test("an oversized avatar is refused with the limit", async () => {
    const big = await createTestApp({ TUBELET_MAX_AVATAR_BYTES: "2048" });
    try {
      const u = await big.createUser("bigavatar");
      const c = big.client();
      await c.login(u.username, u.password);
      await c.page("/c/bigavatar_channel/edit");
      const res = await upload(c, "bigavatar_channel", new Blob([new Uint8Array(4096)], { type: "image/png" }));
      expect(res.status).toBe(413);
      expect(await res.text()).toContain("the limit is 2 KB");
    } finally {
      await big.close();
    }
  });

  test("delete removes the channel and its avatar; the last channel cannot be deleted", async () => {
    await owner.page("/c/cooking/edit");
    expect((await owner.submit("/c/cooking/delete", {})).status).toBe(303);
    expect((await t.client().page("/c/cooking")).status).toBe(404);
    expect(await readdir(join(t.config.dataDir, "avatars"))).toHaveLength(0);
    const res = await owner.submit("/c/owner_channel/delete", {});
    expect(res.status).toBe(409);
    expect((await t.client().page("/c/owner_channel")).status).toBe(200);
  });
});
