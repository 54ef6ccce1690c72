import { describe, expect, test } from "bun:test";
import { assertFetchable, isPrivateAddress, RefusedFetchError } from "../../../src/federation/fetcher.ts";
import { isRetryableStatus } from "../../../src/federation/delivery.ts";
import { keyBelongsToActor } from "../../../src/federation/signatures.ts";

describe("isPrivateAddress", () => {
  test.each([
    ["127.0.0.1", true], ["10.1.2.3", true], ["172.16.0.1", true], ["172.31.255.255", true], ["192.168.1.1", true],
    ["169.254.169.254", true], ["100.64.0.1", true], ["0.0.0.0", true], ["224.0.0.1", true], ["::1", true], ["::", true],
    ["fe80::1", true], ["fd12:3456::1", true], ["::ffff:127.0.0.1", true], ["[::1]", true],
    ["93.184.216.34", false], ["172.32.0.1", false], ["100.128.0.1", false], ["2606:4700::1111", false], ["::ffff:8.8.8.8", false],
  ])("%s → %p", (ip, expected) => {
    expect(isPrivateAddress(ip)).toBe(expected);
  });
});

describe("assertFetchable", () => {
  const resolveTo = (addresses: string[]) => async () => addresses;
  test("refuses loopback, private and link-local targets unless allowed", async () => {
    await expect(assertFetchable("http://127.0.0.1:9000/inbox", { allowPrivate: false })).rejects.toThrow(RefusedFetchError);
    await expect(assertFetchable("http://localhost/x", { allowPrivate: false })).rejects.toThrow(/loopback/);
    await expect(assertFetchable("http://[::1]/x", { allowPrivate: false })).rejects.toThrow(RefusedFetchError);
    await expect(assertFetchable("https://metadata.example/x", { allowPrivate: false, resolve: resolveTo(["169.254.169.254"]) })).rejects.toThrow(/169\.254/);
    // One private address among public ones is enough to refuse: the connection could use it.
    await expect(assertFetchable("https://mixed.example/x", { allowPrivate: false, resolve: resolveTo(["93.184.216.34", "10.0.0.5"]) })).rejects.toThrow(/10\.0\.0\.5/);
    await expect(assertFetchable("http://127.0.0.1:9000/inbox", { allowPrivate: true })).resolves.toBeUndefined();
  });
  test("accepts public hosts; refuses other protocols and credentials", async () => {
    await expect(assertFetchable("https://mastodon.example/users/a", { allowPrivate: false, resolve: resolveTo(["93.184.216.34"]) })).resolves.toBeUndefined();
    await expect(assertFetchable("file:///etc/passwd", { allowPrivate: true })).rejects.toThrow(/http/);
    await expect(assertFetchable("https://u:p@mastodon.example/", { allowPrivate: true })).rejects.toThrow(/credentials/);
  });
});

test.each([
  [500, true], [502, true], [503, true], [408, true], [429, true],
  [400, false], [401, false], [403, false], [404, false], [410, false], [422, false],
])("delivery answered %i is retried: %p", (status, expected) => {
  expect(isRetryableStatus(status)).toBe(expected);
});

describe("keyBelongsToActor", () => {
  const actor = "https://mastodon.example/users/ana";
  test.each([
    [{ keyId: `${actor}#main-key`, ownerId: actor }, true],
    [{ keyId: `${actor}#main-key`, ownerId: "https://mastodon.example/users/bob" }, false],
    // A key served by another origin cannot vouch for this actor, whatever owner it names.
    [{ keyId: "https://evil.example/key", ownerId: actor }, false],
  ])("%p → %p", (verification, expected) => {
    expect(keyBelongsToActor(verification, actor)).toBe(expected);
  });
});
