/** Like and dislike buttons with their counts, toggled in place. */
import type { PageContext } from "../context.ts";
import { Csrf } from "./form.tsx";

export interface RateButtonsProps {
  readonly page: PageContext;
  readonly shortId: string;
  readonly likes: number;
  readonly dislikes: number;
  readonly mine: "like" | "dislike" | null;
}

function Thumb({ down }: { down?: boolean }) {
  return (
    <svg class="rate-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      <path
        d="M2 10h4v11H2zM8 21V10l5-8c1.5 0 2.5 1.1 2.2 2.6L14.5 9H20a2 2 0 0 1 2 2.3l-1.5 8A2 2 0 0 1 18.5 21z"
        fill="currentColor"
        transform={down ? "rotate(180 12 12)" : undefined}
      />
    </svg>
  );
}

/**
 * Each button sends the state it leads to: pressing the pressed one sends "none", so it toggles, and pressing
 * the other switches. Visitors get links to the login page with the same counts.
 */
export function RateButtons({ page, shortId, likes, dislikes, mine }: RateButtonsProps) {
  const t = page.t;
  const likeLabel = t("ratings.likeLabel", { count: likes });
  const dislikeLabel = t("ratings.dislikeLabel", { count: dislikes });
  if (!page.viewer) {
    const login = `/login?next=${encodeURIComponent(`/w/${shortId}`)}`;
    return (
      <span class="rate" role="group" aria-label={t("ratings.group")}>
        <a class="button rate-button" href={login} aria-label={`${likeLabel}. ${t("ratings.loginToRate")}`} title={t("ratings.loginToRate")}>
          <Thumb />
          <span safe>{page.i18n.number(likes)}</span>
        </a>
        <a class="button rate-button" href={login} aria-label={`${dislikeLabel}. ${t("ratings.loginToRate")}`} title={t("ratings.loginToRate")}>
          <Thumb down />
          <span safe>{page.i18n.number(dislikes)}</span>
        </a>
      </span>
    );
  }
  const action = `/w/${shortId}/rate`;
  return (
    <form
      class="rate"
      id={`rate-${shortId}`}
      method="post"
      action={action}
      hx-post={action}
      hx-target="this"
      hx-swap="outerHTML"
      hx-disabled-elt="find button"
      role="group"
      aria-label={t("ratings.group")}
    >
      <Csrf token={page.csrfToken} />
      <button
        type="submit"
        id={`rate-like-${shortId}`}
        class={mine === "like" ? "button rate-button rate-on" : "button rate-button"}
        name="rating"
        value={mine === "like" ? "none" : "like"}
        aria-pressed={mine === "like" ? "true" : "false"}
        aria-label={likeLabel}
        title={t("ratings.like")}
      >
        <Thumb />
        <span safe>{page.i18n.number(likes)}</span>
      </button>
      <button
        type="submit"
        id={`rate-dislike-${shortId}`}
        class={mine === "dislike" ? "button rate-button rate-on" : "button rate-button"}
        name="rating"
        value={mine === "dislike" ? "none" : "dislike"}
        aria-pressed={mine === "dislike" ? "true" : "false"}
        aria-label={dislikeLabel}
        title={t("ratings.dislike")}
      >
        <Thumb down />
        <span safe>{page.i18n.number(dislikes)}</span>
      </button>
      <span class="error rate-error" role="alert" data-error-slot></span>
    </form>
  );
}
