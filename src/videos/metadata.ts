/** What an uploader may say about a video, validated in one place for the page, the API and the resumable protocol. */
import { cleanText } from "../accounts/validation.ts";
import type { Privacy, VideoDetails } from "./queries.ts";

export const NAME_MIN = 3;
export const NAME_MAX = 120;
export const DESCRIPTION_MAX = 10_000;
export const TAGS_MAX = 5;
export const TAG_MAX = 30;

/** PeerTube's category ids and labels (a subset of its list, same numbers). */
export const CATEGORIES: Readonly<Record<number, string>> = {
  1: "Music", 2: "Films", 3: "Vehicles", 4: "Art", 5: "Sports", 6: "Travels", 7: "Gaming", 8: "People",
  9: "Comedy", 10: "Entertainment", 11: "News & Politics", 12: "How To", 13: "Education", 14: "Activism",
  15: "Science & Technology", 16: "Animals", 17: "Kids", 18: "Food",
};

export const LANGUAGES: Readonly<Record<string, string>> = {
  en: "English", ja: "Japanese", fr: "French", de: "German", es: "Spanish", it: "Italian", pt: "Portuguese",
  nl: "Dutch", ru: "Russian", zh: "Chinese", ko: "Korean", ar: "Arabic", pl: "Polish", sv: "Swedish",
};

export const PRIVACY_LABELS: Readonly<Record<Privacy, string>> = { 1: "Public", 2: "Unlisted", 3: "Private" };

export type { VideoDetails };

function bool(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null || value === "") return fallback;
  if (typeof value === "boolean") return value;
  return value === "true" || value === "1" || value === "on";
}

function tagList(value: unknown): string[] {
  const raw = Array.isArray(value) ? value : typeof value === "string" ? value.split(",") : [];
  return [...new Set(raw.map((t) => cleanText(t)).filter(Boolean))];
}

/** Parses form or JSON fields (PeerTube's names); returns the details and any problems by field. */
export function parseVideoDetails(raw: Record<string, unknown>): { details: VideoDetails; problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const name = cleanText(raw.name);
  if (name.length < NAME_MIN || name.length > NAME_MAX) problems.name = `A title has ${NAME_MIN} to ${NAME_MAX} characters.`;
  const description = cleanText(raw.description);
  if (description.length > DESCRIPTION_MAX) problems.description = `The description has ${description.length} characters; the limit is ${DESCRIPTION_MAX}.`;
  const privacy = Number(raw.privacy ?? 1);
  if (![1, 2, 3].includes(privacy)) problems.privacy = "Privacy is 1 (public), 2 (unlisted) or 3 (private).";
  const category = raw.category === undefined || raw.category === "" || raw.category === null ? null : Number(raw.category);
  if (category !== null && !CATEGORIES[category]) problems.category = "Choose a category from the list.";
  const language = cleanText(raw.language) || null;
  if (language !== null && !LANGUAGES[language]) problems.language = "Choose a language from the list.";
  const tags = tagList(raw.tags);
  if (tags.length > TAGS_MAX) problems.tags = `At most ${TAGS_MAX} tags.`;
  else if (tags.some((t) => t.length < 2 || t.length > TAG_MAX)) problems.tags = `Each tag has 2 to ${TAG_MAX} characters.`;
  return {
    details: {
      name,
      description,
      privacy: privacy as Privacy,
      category,
      language,
      tags,
      commentsEnabled: bool(raw.commentsEnabled ?? raw.commentsPolicy, true),
      downloadEnabled: bool(raw.downloadEnabled, true),
      // PeerTube calls it `nsfw`; `sensitive` is accepted too.
      sensitive: bool(raw.nsfw ?? raw.sensitive, false),
    },
    problems,
  };
}

/** Human-readable byte counts for limits and quotas ("1.5 GB", "300 KB"). */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
