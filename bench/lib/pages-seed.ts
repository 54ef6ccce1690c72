/** Seed for the pages benchmark: a channel with many playable videos (one real 720p clip, copied per video). */
import { registerUser } from "../../src/accounts/service.ts";
import { publishPlayableVideos } from "../../test/helpers/videos.ts";
import type { BenchInstance } from "./tubelet.ts";

const TOPICS = ["Cooking pasta", "Mountain hike", "Bread at home", "City at night", "Sea kayaking", "Knife skills"];

export interface SeededPages {
  readonly watchId: string;
  readonly channelHandle: string;
  readonly searchQuery: string;
  readonly videos: number;
}

/** A user with a channel and `count` published public videos, all playable; returns what the pages need. */
export async function seedPages(instance: BenchInstance, count: number): Promise<SeededPages> {
  const sql = instance.db.sql;
  const user = await registerUser(
    { sql, config: instance.config },
    { username: "kitchen", email: "kitchen@example.org", password: "Bench-Recipes-2026", displayName: "Kitchen & Trails" },
    { bypassSignupMode: true },
  );
  const [channel] = await sql<{ id: number; handle: string }[]>`
    SELECT c.id::int, a.handle FROM channels c JOIN actors a ON a.id = c.actor_id WHERE c.owner_id = ${user.id} LIMIT 1`;
  const videos = Array.from({ length: count }, (_, i) => {
    const topic = TOPICS[i % TOPICS.length]!;
    return {
      name: `${topic}, part ${i + 1}`,
      description: `Episode ${i + 1} of ${topic.toLowerCase()}: what we learned, what went wrong, and the **one trick** that helped.`,
      tags: [topic.split(" ")[0]!.toLowerCase(), "weekly"],
      language: "en",
      category: 15,
    };
  });
  const seeded = await publishPlayableVideos(sql, instance.dataDir, channel!.id, videos, { seconds: 12, width: 1280, height: 720, resolutions: [240, 480, 720], segmentSeconds: 4 });
  await sql`UPDATE videos SET views = 1000 + id * 37`;
  return { watchId: seeded[0]!.shortId, channelHandle: channel!.handle, searchQuery: "cooking", videos: count };
}
