/** The Like, Dislike, Undo and View this instance sends about remote videos, read back by the inbox's own parser. */
import { describe, expect, test } from "bun:test";
import { toRatingActivity, toUndoRatingActivity, toViewActivity } from "../../../src/federation/interactions.ts";
import { parseActivity, parseEmbeddedActivity } from "../../../src/federation/objects.ts";

const PUBLIC = "https://www.w3.org/ns/activitystreams#Public";
const BOB = "https://b.example/accounts/bob";
const VIDEO = "https://a.example/videos/watch/0d0a3c8e-1d6f-4a0b-9b5e-6c1f6f0f6a11";

describe("outbound interactions", () => {
  test("a Like and a Dislike name the video by id, public and copied to the rater's followers, as PeerTube's", () => {
    expect(toRatingActivity(`${BOB}/likes/1`, "like", BOB, VIDEO)).toEqual({
      id: `${BOB}/likes/1`, type: "Like", actor: BOB, object: VIDEO, to: [PUBLIC], cc: [`${BOB}/followers`],
    });
    expect(toRatingActivity(`${BOB}/dislikes/1`, "dislike", BOB, VIDEO)).toMatchObject({ type: "Dislike", object: VIDEO });
  });

  test("an Undo embeds the whole rating, so the receiver finds it by actor, type and video", () => {
    const like = toRatingActivity(`${BOB}/likes/1`, "like", BOB, VIDEO);
    const undo = toUndoRatingActivity(`${BOB}/likes/1/undo`, like);
    const parsed = parseActivity(undo);
    expect(parsed).toMatchObject({ id: `${BOB}/likes/1/undo`, type: "Undo", actor: BOB, objectId: `${BOB}/likes/1` });
    expect(parseEmbeddedActivity(parsed.object)).toMatchObject({ type: "Like", actor: BOB, objectId: VIDEO });
    expect(undo.to).toEqual([PUBLIC]);
  });

  test("a View is by the instance actor, of the video's id, with no live-viewer fields", () => {
    const actor = "https://b.example/accounts/peertube";
    const view = toViewActivity(`${actor}/views/videos/x/1`, actor, VIDEO);
    expect(parseActivity(view)).toMatchObject({ type: "View", actor, objectId: VIDEO });
    expect(view).not.toHaveProperty("expires");
    expect(view).not.toHaveProperty("result");
  });
});
