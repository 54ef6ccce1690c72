/** Subscribe to a channel, or unsubscribe, in place; shows the subscriber count. */
import type { PageContext } from "../context.ts";
import { Csrf } from "./form.tsx";

export interface SubscribeButtonProps {
  readonly page: PageContext;
  readonly channelHandle: string;
  readonly subscribed: boolean;
  readonly subscribers: number;
}

/**
 * A form, so it also works without JavaScript (the server then redirects back); htmx swaps in the answer,
 * which is this same component in its new state. Visitors get a link to log in and come back.
 */
export function SubscribeButton({ page, channelHandle, subscribed, subscribers }: SubscribeButtonProps) {
  const t = page.t;
  const count = (
    <span class="subscriber-count muted" safe>
      {t("subscriptions.count", { count: subscribers })}
    </span>
  );
  if (!page.viewer) {
    return (
      <div class="subscribe">
        <a class="button primary" href={`/login?next=${encodeURIComponent(page.path)}`} title={t("subscriptions.loginToSubscribe")} safe>
          {t("subscriptions.subscribe")}
        </a>
        {count}
      </div>
    );
  }
  const action = `/c/${encodeURIComponent(channelHandle)}/${subscribed ? "unsubscribe" : "subscribe"}`;
  return (
    <form class="subscribe" method="post" action={action} hx-post={action} hx-target="this" hx-swap="outerHTML" data-channel={channelHandle}>
      <Csrf token={page.csrfToken} />
      <input type="hidden" name="next" value={page.path} />
      <button type="submit" class={subscribed ? "button subscribed" : "button primary"} aria-pressed={subscribed ? "true" : "false"} safe>
        {subscribed ? t("subscriptions.unsubscribe") : t("subscriptions.subscribe")}
      </button>
      {count}
    </form>
  );
}
