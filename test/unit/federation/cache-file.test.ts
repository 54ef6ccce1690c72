/**
 * A PeerTube CacheFile (a mirror announcing the copy it keeps of another instance's video) reaches the inbox as a
 * Create: it reads as an activity, and is never taken for a video (redundancy handling is its own feature).
 */
import { expect, test } from "bun:test";
import type { FederationDeps } from "../../../src/federation/actors.ts";
import { prepareVideoActivity } from "../../../src/federation/inbox-videos.ts";
import { parseActivity } from "../../../src/federation/objects.ts";
import createCacheFile from "../../fixtures/activitypub/peertube.example/create-cachefile-hls.json";

test("a Create of a CacheFile parses as an activity about the video it mirrors, and is not a video", async () => {
  const activity = parseActivity(createCacheFile);
  expect(activity).toMatchObject({ type: "Create", actor: "https://peertube.example/accounts/peertube" });
  expect(activity.objectId).toBe("https://peertube.example/redundancy/streaming-playlists/hls/0b2f6e84-5a0e-4bd2-8d1e-9f3a2c7b1d55");
  expect(activity.object).toMatchObject({ type: "CacheFile", object: "https://video.origin.example/videos/watch/0b2f6e84-5a0e-4bd2-8d1e-9f3a2c7b1d55" });
  // Decided from the embedded object alone: nothing is fetched, so no dependency is touched.
  expect(await prepareVideoActivity({} as FederationDeps, activity)).toBeNull();
});
