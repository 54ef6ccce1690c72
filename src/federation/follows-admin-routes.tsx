/**
 * /admin/federation/following: the instances our instance follows (follow by host or actor URL, unfollow), and
 * the remote followers of the instance, its accounts and channels (accept a pending one, reject or remove one).
 * Administrators only; every form carries the CSRF token.
 */
import { Elysia } from "elysia";
import type { contextPlugin, AppDeps } from "../http/context.ts";
import { requireAdmin } from "../http/context.ts";
import { notFound } from "../http/errors.ts";
import { field } from "../http/forms.ts";
import type { PageContext } from "../../views/context.ts";
import { AdminFollowsPage, type FollowerView, type FollowingView } from "../../views/pages/admin-federation-follows.tsx";
import { fetcherFor, instanceActor } from "./actors.ts";
import * as fq from "./follow-queries.ts";
import { answerRemoteFollower } from "./follows.ts";
import { followInstance, InstanceFollowError, parseInstanceTarget, unfollowInstance } from "./instance-follows.ts";

/** Followers shown at once; an instance with more has bigger problems than this page's length. */
const FOLLOWERS_SHOWN = 500;
const PAGE = "/admin/federation/following";

function federationDeps(deps: AppDeps) {
  return { sql: deps.sql, config: deps.config, queues: deps.queues, fetcher: fetcherFor(deps.config) };
}

/** How a local actor followed is named on the page: the instance, @account or a channel's handle. */
function followedLabel(page: PageContext, row: fq.RemoteFollowerRow): string {
  if (row.followedKind === "application") return page.t("admin.follows.theInstance");
  return row.followedKind === "group" ? page.t("admin.follows.channel", { name: row.followedHandle }) : `@${row.followedHandle}`;
}

async function followsPage(deps: AppDeps, page: PageContext, messages: { notice?: string; error?: string; target?: string } = {}) {
  const self = await instanceActor(deps.sql, deps.config);
  const [following, followers] = await Promise.all([
    fq.listInstanceFollowing(deps.sql, self.id),
    fq.listRemoteFollowers(deps.sql, FOLLOWERS_SHOWN),
  ]);
  const followingViews: FollowingView[] = following.map((f) => ({
    actorId: f.actorId, label: `${f.handle}@${f.domain}`, uri: f.uri, state: f.state, since: f.createdAt,
  }));
  const followerViews: FollowerView[] = followers.map((f) => ({
    followerId: f.followerId, followedId: f.followedId, follower: `${f.followerHandle}@${f.followerDomain}`,
    followerUri: f.followerUri, followed: followedLabel(page, f), state: f.state, since: f.createdAt,
  }));
  return (
    <AdminFollowsPage page={page} following={followingViews} followers={followerViews}
      manualApproval={deps.config.federation.manualApproval} {...messages} />
  );
}

/** The notice a redirect back to the page asked for, from its query. */
function noticeOf(page: PageContext, query: Record<string, string | undefined>): string | undefined {
  if (query.followed) return page.t("admin.follows.followedNotice", { target: query.followed });
  if (query.unfollowed) return page.t("admin.follows.unfollowedNotice");
  if (query.accepted) return page.t("admin.follows.acceptedNotice");
  if (query.rejected) return page.t("admin.follows.rejectedNotice");
  return undefined;
}

const ID = /^\d{1,15}$/;

export function followsAdminRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "federation-follows-admin" })
    .use(context)
    .get(PAGE, async ({ deps, user, page, query }) => {
      requireAdmin(user);
      return followsPage(deps, page, { notice: noticeOf(page, query) });
    })
    .post(PAGE, async ({ deps, user, page, body, redirect, set }) => {
      requireAdmin(user);
      const raw = field(body, "target") ?? "";
      const target = parseInstanceTarget(raw);
      if (!target) {
        set.status = 400;
        return followsPage(deps, page, { error: page.t("admin.follows.invalid"), target: raw });
      }
      try {
        const actor = await followInstance(federationDeps(deps), target);
        return redirect(`${PAGE}?followed=${encodeURIComponent(`${actor.handle}@${actor.domain}`)}`, 303);
      } catch (error) {
        if (!(error instanceof InstanceFollowError)) throw error;
        set.status = 400;
        return followsPage(deps, page, { error: page.t(`admin.follows.error.${error.key}`, error.params), target: raw });
      }
    })
    .post(`${PAGE}/:actorId/delete`, async ({ deps, user, params, redirect }) => {
      requireAdmin(user);
      if (ID.test(params.actorId)) await unfollowInstance(federationDeps(deps), Number(params.actorId));
      return redirect(`${PAGE}?unfollowed=1`, 303);
    })
    .post("/admin/federation/followers/:followerId/:followedId/:answer", async ({ deps, user, params, redirect }) => {
      requireAdmin(user);
      const answer = params.answer === "accept" ? "Accept" : params.answer === "reject" ? "Reject" : null;
      if (!answer || !ID.test(params.followerId) || !ID.test(params.followedId)) throw notFound();
      await answerRemoteFollower(federationDeps(deps), Number(params.followerId), Number(params.followedId), answer);
      return redirect(`${PAGE}?${answer === "Accept" ? "accepted" : "rejected"}=1`, 303);
    });
}
