import { expect, test } from "bun:test";
import { openEmbedChannel, parseChannelMessage, type ChannelWindow } from "../../../public/player/embed-channel.ts";
import { resolutionChoice, resolutionList } from "../../../public/player/embed-api.ts";

/** A window whose parent records what it was sent, and which delivers messages we hand it. */
function fakeWindow() {
  const sent: { message: unknown; origin: string }[] = [];
  const parent = { postMessage: (message: string, origin: string) => void sent.push({ message: JSON.parse(message), origin }) };
  let listener: ((event: { data: unknown; origin: string; source: unknown }) => void) | null = null;
  const win: ChannelWindow = { parent, addEventListener: (_type, l) => void (listener = l) };
  return {
    win,
    sent,
    parent,
    deliver(data: unknown, origin = "https://parent.example", source: unknown = parent) {
      listener!({ data: typeof data === "string" ? data : JSON.stringify(data), origin, source });
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

test("parses requests and notifications of its scope only", () => {
  expect(parseChannelMessage('{"id":3,"method":"peertube::play"}', "peertube")).toEqual({ kind: "request", id: 3, method: "play", params: undefined });
  expect(parseChannelMessage('{"method":"peertube::__ready","params":{"type":"publish-request"}}', "peertube")).toMatchObject({ kind: "notify", method: "__ready" });
  for (const bad of ['{"id":3,"method":"other::play"}', '{"id":3,"result":1}', "not json", "[1]", "null", '{"method":"play"}', '{"method":"peertube::"}', '{"id":{},"method":"peertube::x"}']) {
    expect(parseChannelMessage(bad, "peertube")).toBeNull();
  }
  expect(parseChannelMessage({ method: "peertube::play" }, "peertube")).toBeNull(); // jschannel always sends strings
});

test("announces itself, answers the handshake, queues events until then and replies only to the asking origin", async () => {
  const f = fakeWindow();
  const channel = openEmbedChannel(f.win, "peertube", { getVolume: () => 0.5, play: async () => undefined, fail: () => { throw new Error("no way"); } });
  expect(f.sent).toEqual([{ message: { method: "peertube::__ready", params: { type: "publish-request", publish: [] } }, origin: "*" }]);
  channel.notify("ready", true);
  expect(f.sent).toHaveLength(1);
  expect(channel.connected).toBe(false);

  f.deliver({ method: "peertube::__ready", params: { type: "publish-request", publish: [] } });
  expect(channel.connected).toBe(true);
  expect(f.sent.slice(1)).toEqual([
    { message: { method: "peertube::__ready", params: { type: "publish-reply", publish: [] } }, origin: "https://parent.example" },
    { message: { method: "peertube::ready", params: true }, origin: "https://parent.example" },
  ]);

  f.sent.length = 0;
  f.deliver({ id: 41, method: "peertube::getVolume" });
  f.deliver({ id: 42, method: "peertube::play" }, "https://other.example");
  f.deliver({ id: 43, method: "peertube::fail" });
  f.deliver({ id: 44, method: "peertube::nope" });
  await settle();
  expect(f.sent).toEqual([
    { message: { id: 41, result: 0.5 }, origin: "https://parent.example" },
    { message: { id: 43, error: "Error", message: "no way" }, origin: "https://parent.example" },
    { message: { id: 44, error: "method_not_found", message: "No method 'nope' was (yet) bound by the provider" }, origin: "https://parent.example" },
    // play is asynchronous: its answer comes when it settles, to the origin that asked.
    { message: { id: 42 }, origin: "https://other.example" },
  ]);
});

test("ignores messages from anything but the parent window, other scopes and inherited method names", async () => {
  const f = fakeWindow();
  openEmbedChannel(f.win, "peertube", { getVolume: () => 1 });
  f.sent.length = 0;
  f.deliver({ method: "peertube::__ready", params: { type: "publish-request" } }, "https://evil.example", {});
  f.deliver({ id: 1, method: "peertube::getVolume" }, "https://evil.example", {});
  f.deliver({ id: 2, method: "other::getVolume" });
  f.deliver({ id: 3, method: "peertube::toString" });
  await settle();
  expect(f.sent).toEqual([{ message: { id: 3, error: "method_not_found", message: "No method 'toString' was (yet) bound by the provider" }, origin: "https://parent.example" }]);
});

test("a publish-reply also connects; an opaque parent origin is reached with *", () => {
  const f = fakeWindow();
  const channel = openEmbedChannel(f.win, "peertube", {});
  f.deliver({ method: "peertube::__ready", params: { type: "publish-reply", publish: [] } }, "null");
  expect(channel.connected).toBe(true);
  channel.notify("volumeChange", 0.3);
  expect(f.sent.at(-1)).toEqual({ message: { method: "peertube::volumeChange", params: 0.3 }, origin: "*" });
});

test("resolutions: Auto (-1) first, then heights from the highest; only offered ids are accepted", () => {
  expect(resolutionList([240, 144, 240], null)).toEqual([
    { id: -1, label: "Auto", height: 0, active: true },
    { id: 240, label: "240p", height: 240, active: false },
    { id: 144, label: "144p", height: 144, active: false },
  ]);
  expect(resolutionList([240, 144], 144).filter((r) => r.active).map((r) => r.id)).toEqual([144]);
  expect(resolutionChoice(-1, [144])).toBeNull();
  expect(resolutionChoice(144, [144])).toBe(144);
  expect(resolutionChoice("144", [144])).toBe(144);
  expect(() => resolutionChoice(720, [144])).toThrow("There is no resolution with id 720.");
  expect(() => resolutionChoice(null, [144])).toThrow();
});
