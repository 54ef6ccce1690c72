/** Administration: the instances and actors our instance follows, and every remote follower of this instance. */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { Alert, OneFieldForm, PostButton } from "../components/form.tsx";
import { AdminNav } from "../components/admin-nav.tsx";
import { TableHead } from "../components/table-head.tsx";

export interface FollowingView {
  readonly actorId: number;
  /** The actor as name@host, and its id (shown as a link). */
  readonly label: string;
  readonly uri: string;
  readonly state: "pending" | "accepted";
  readonly since: Date;
}

export interface FollowerView {
  readonly followerId: number;
  readonly followedId: number;
  /** The follower as name@host, its id, and what it follows here (the instance, @account or a channel). */
  readonly follower: string;
  readonly followerUri: string;
  readonly followed: string;
  readonly state: "pending" | "accepted";
  readonly since: Date;
}

export interface AdminFollowsProps {
  readonly page: PageContext;
  readonly following: readonly FollowingView[];
  readonly followers: readonly FollowerView[];
  readonly manualApproval: boolean;
  readonly notice?: string;
  readonly error?: string;
  /** What the administrator typed, kept when the follow failed. */
  readonly target?: string;
}

function when(date: Date): string {
  return date.toISOString().slice(0, 16).replace("T", " ");
}

function StateLabel({ page, state }: { page: PageContext; state: "pending" | "accepted" }) {
  return (
    <span class={state === "pending" ? "muted" : ""} safe>
      {page.t(state === "pending" ? "admin.follows.pending" : "admin.follows.accepted")}
    </span>
  );
}

/** A table's header: one column per label, and a last one for the buttons. */
function Head({ labels }: { labels: readonly string[] }) {
  return <TableHead headings={[...labels, ""]} />;
}

function FollowingTable({ page, rows }: { page: PageContext; rows: readonly FollowingView[] }) {
  const t = page.t;
  if (rows.length === 0) return <p class="muted" safe>{t("admin.follows.noFollowing")}</p>;
  return (
    <table class="table" id="following">
      <Head labels={[t("admin.follows.actor"), t("admin.follows.state"), t("admin.federation.since")]} />
      <tbody>
        {rows.map((r) => (
          <tr>
            <td>
              <a href={r.uri} rel="nofollow noopener" safe>{r.label}</a>
            </td>
            <td><StateLabel page={page} state={r.state} /></td>
            <td safe>{when(r.since)}</td>
            <td>
              <PostButton action={`/admin/federation/following/${r.actorId}/delete`} token={page.csrfToken} label={t("admin.follows.unfollow")} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function FollowersTable({ page, rows }: { page: PageContext; rows: readonly FollowerView[] }) {
  const t = page.t;
  if (rows.length === 0) return <p class="muted" safe>{t("admin.follows.noFollowers")}</p>;
  return (
    <table class="table" id="followers">
      <Head labels={[t("admin.follows.follower"), t("admin.follows.follows"), t("admin.follows.state"), t("admin.federation.since")]} />
      <tbody>
        {rows.map((r) => {
          const base = `/admin/federation/followers/${r.followerId}/${r.followedId}`;
          return (
            <tr>
              <td>
                <a href={r.followerUri} rel="nofollow noopener" safe>{r.follower}</a>
              </td>
              <td safe>{r.followed}</td>
              <td><StateLabel page={page} state={r.state} /></td>
              <td safe>{when(r.since)}</td>
              <td>
                {r.state === "pending" ? <PostButton action={`${base}/accept`} token={page.csrfToken} label={t("admin.follows.accept")} /> : ""}{" "}
                <PostButton action={`${base}/reject`} token={page.csrfToken} label={t(r.state === "pending" ? "admin.follows.reject" : "admin.follows.remove")} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function AdminFollowsPage(props: AdminFollowsProps) {
  const { page } = props;
  const t = page.t;
  return (
    <Layout page={page} title={t("admin.follows.title")}>
      <AdminNav page={page} current="/admin/federation/following" />
      <h1 safe>{t("admin.follows.heading")}</h1>
      <Alert message={props.notice} kind="info" />
      <Alert message={props.error} />
      <p class="muted" safe>{t("admin.follows.explainFollowing")}</p>
      <OneFieldForm
        action="/admin/federation/following"
        token={page.csrfToken}
        id="follow-target"
        name="target"
        label={t("admin.follows.target")}
        button={t("admin.follows.follow")}
        maxlength={300}
        placeholder="video.example, https://video.example/accounts/peertube"
        value={props.target ?? ""}
      />
      <FollowingTable page={page} rows={props.following} />
      <h2 safe>{t("admin.follows.followersHeading")}</h2>
      <p class="muted" safe>{t(props.manualApproval ? "admin.follows.explainManual" : "admin.follows.explainAuto")}</p>
      <FollowersTable page={page} rows={props.followers} />
    </Layout>
  );
}
