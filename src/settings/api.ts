/** PeerTube's REST endpoints for one's own account: PUT /users/me and the avatar. */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { SESSION_COOKIE } from "../http/context.ts";
import { badRequest } from "../http/errors.ts";
import { absoluteUrl, staticUrl } from "../http/urls.ts";
import { requireApiUser } from "../api/bearer.ts";
import type { UserRow } from "../accounts/queries.ts";
import { removeActorAvatar, replaceActorAvatar } from "../accounts/avatar.ts";
import { AVATAR_SIZE } from "../media/image.ts";
import { changePassword, checkProfile, parsePreferences, type PreferencesInput } from "./service.ts";
import { updatePreferences, updateProfile } from "./queries.ts";

/** PeerTube's names for the sensitive-content policy. */
const NSFW_POLICIES: Readonly<Record<string, "show" | "blur" | "hide">> = { display: "show", blur: "blur", do_not_list: "hide" };

/**
 * The preferences under PeerTube's names, for the user JSON of GET /users/me (src/api/shapes.ts can spread
 * this into `meJson`). P2P follows the instance default when the person has not chosen.
 */
export function preferencesJson(user: Pick<UserRow, "sensitivePolicy" | "videoLanguages" | "p2pPreference">, instanceP2P: "off" | "ask" | "on") {
  const nsfwPolicy = Object.keys(NSFW_POLICIES).find((name) => NSFW_POLICIES[name] === user.sensitivePolicy) ?? "blur";
  const p2pEnabled = instanceP2P !== "off" && (user.p2pPreference ? user.p2pPreference === "on" : instanceP2P === "on");
  return { nsfwPolicy, videoLanguages: user.videoLanguages, p2pEnabled };
}

function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw badRequest(`${name} must be a string.`);
  return value;
}

/** Maps PeerTube's field names and values onto ours; undefined leaves a preference alone. */
export function preferencesFromApi(body: Record<string, unknown>): PreferencesInput {
  const nsfw = body.nsfwPolicy;
  if (nsfw !== undefined && (typeof nsfw !== "string" || !Object.hasOwn(NSFW_POLICIES, nsfw))) {
    throw badRequest("nsfwPolicy is one of display, blur or do_not_list.");
  }
  const p2p = body.p2pEnabled;
  if (p2p !== undefined && p2p !== null && typeof p2p !== "boolean") throw badRequest("p2pEnabled is true, false or null.");
  const languages = body.videoLanguages;
  if (languages !== undefined && languages !== null && !Array.isArray(languages)) throw badRequest("videoLanguages is a list of language codes.");
  return { sensitivePolicy: nsfw === undefined ? undefined : NSFW_POLICIES[nsfw as string], p2p, videoLanguages: languages };
}

function bearerToken(request: Request): string | null {
  return /^Bearer\s+([\w-]{20,100})$/i.exec(request.headers.get("authorization")?.trim() ?? "")?.[1] ?? null;
}

export function settingsApiRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "settings-api", prefix: "/api/v1" })
    .use(context)
    .put("/users/me", async ({ deps, request, user, page, body, cookie, set }) => {
      const me = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      const b = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
      // Everything is checked before anything is written, so a refused request changes nothing.
      const displayName = optionalString(b, "displayName");
      const description = optionalString(b, "description");
      const profile = displayName !== undefined || description !== undefined ? checkProfile(me, { displayName, description }) : null;
      const prefs = parsePreferences(preferencesFromApi(b));
      const password = optionalString(b, "password");
      if (password !== undefined) {
        const session = cookie[SESSION_COOKIE]?.value;
        const current = { accessToken: bearerToken(request), sessionToken: typeof session === "string" && !bearerToken(request) ? session : null };
        await changePassword(deps, me, { currentPassword: optionalString(b, "currentPassword") ?? "", password }, current);
      }
      if (profile) await updateProfile(deps.sql, me.actorId, profile);
      await updatePreferences(deps.sql, me.id, prefs);
      set.status = 204;
      return "";
    })
    .post("/users/me/avatar/pick", async ({ deps, request, user, page, body }) => {
      const me = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      const path = staticUrl(await replaceActorAvatar(deps, me.actorId, (body as Record<string, unknown> | undefined)?.avatarfile))!;
      const now = new Date();
      const avatar = { path, fileUrl: absoluteUrl(deps.config, path), width: AVATAR_SIZE, height: AVATAR_SIZE, createdAt: now, updatedAt: now };
      return { avatars: [avatar] };
    })
    .delete("/users/me/avatar", async ({ deps, request, user, page, set }) => {
      const me = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      await removeActorAvatar(deps, me.actorId);
      set.status = 204;
      return "";
    });
}
