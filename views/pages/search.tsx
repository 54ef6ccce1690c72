/** Search results: a filter bar, then channels (few, and often what people look for), then videos. */
import type { PageContext } from "../context.ts";
import type { MessageKey } from "../../src/i18n/i18n.ts";
import { Layout } from "../layout.tsx";
import { VideoGrid, type VideoCardView } from "../components/video-card.tsx";
import { ChannelList, type ChannelView } from "./channels.tsx";
import { DATES, DURATIONS, SORTS, TYPES, type SearchForm } from "../../src/search/filters.ts";
import { LANGUAGES } from "../../src/videos/metadata.ts";
import { Csrf } from "../components/form.tsx";

/** A channel or account of another instance, found by its handle or URL, and whether the viewer follows it. */
export interface RemoteActorCard {
  readonly uri: string;
  readonly handle: string;
  readonly host: string;
  readonly displayName: string;
  readonly description: string;
  readonly url: string;
  /** The viewer's follow: none yet, sent and waiting for the remote's Accept, or accepted. */
  readonly follow: "none" | "pending" | "accepted";
}

export interface SearchPageProps {
  readonly page: PageContext;
  readonly form: SearchForm;
  readonly videos: readonly VideoCardView[];
  readonly channels: readonly ChannelView[];
  readonly total: number;
  readonly moreUrl: string | null;
  /** The query names something on another instance, which could not be looked up. */
  readonly remote: boolean;
  /** What the query named on another instance, when the lookup found it. */
  readonly remoteActor?: RemoteActorCard;
  /** Nothing matched exactly; these are similar titles. */
  readonly onlySimilar: boolean;
  readonly filtered: boolean;
}

export function SearchPage(p: SearchPageProps) {
  const { page, form } = p;
  const t = page.t;
  const searched = Boolean(form.q) || p.filtered;
  const nothing = searched && !p.remote && !p.remoteActor && p.videos.length === 0 && p.channels.length === 0;
  return (
    <Layout page={page} title={form.q ? t("search.pageTitle", { query: form.q }) : t("search.title")}>
      {/* One string child: the layout looks for x-data in it to decide whether to load Alpine. */}
      <>
        <h1 safe>{form.q ? t("search.resultsFor", { query: form.q }) : t("search.title")}</h1>
        <FilterBar page={page} form={form} filtered={p.filtered} />
        {!searched ? (
          <p class="muted" safe>
            {t("search.hint")}
          </p>
        ) : (
          ""
        )}
        {p.remote ? (
          <p class="alert alert-info" role="status" safe>
            {t("search.remoteUnavailable", { query: form.q })}
          </p>
        ) : (
          ""
        )}
        {p.remoteActor ? <RemoteActor page={page} actor={p.remoteActor} /> : ""}
        {nothing ? (
          <p class="muted" safe>
            {t(p.filtered ? "search.nothingFiltered" : "search.nothing")}
          </p>
        ) : (
          ""
        )}
        {p.channels.length ? (
          <section aria-labelledby="search-channels">
            <h2 id="search-channels" safe>
              {t("search.channels")}
            </h2>
            <ChannelList channels={p.channels} />
          </section>
        ) : (
          ""
        )}
        {p.videos.length ? (
          <section aria-labelledby="search-videos">
            <h2 id="search-videos" safe>
              {t("search.videos")}
            </h2>
            <p class="muted search-count" safe>
              {t("search.count", { count: p.total })}
            </p>
            {p.onlySimilar ? (
              <p class="muted" safe>
                {t("search.onlySimilar")}
              </p>
            ) : (
              ""
            )}
            <VideoGrid videos={p.videos} page={page} moreUrl={p.moreUrl} />
          </section>
        ) : (
          ""
        )}
      </>
    </Layout>
  );
}

/** A labelled select; `options` are [value, text already translated]. */
function Choice({ name, label, value, options }: { name: string; label: string; value: string; options: readonly (readonly [string, string])[] }) {
  return (
    <label class="search-filter">
      <span safe>{label}</span>
      <select name={name}>
        {options.map(([v, text]) => (
          <option value={v} selected={v === value} safe>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A plain GET form: it works without JavaScript and its URL can be shared. */
function FilterBar({ page, form, filtered }: { page: PageContext; form: SearchForm; filtered: boolean }) {
  const names = new Intl.DisplayNames([page.locale], { type: "language" });
  const languages = Object.keys(LANGUAGES)
    .map((code) => [code, names.of(code) ?? LANGUAGES[code]!] as [string, string])
    .sort((a, b) => a[1].localeCompare(b[1], page.locale));
  const t = page.t;
  // Keys such as search.durationShort: the prefix and the value with a capital first letter.
  const labelled = (prefix: string, values: readonly string[], any?: MessageKey) => [
    ...(any ? [["", t(any)] as const] : []),
    ...values.map((v) => [v, t(`${prefix}${v[0]!.toUpperCase()}${v.slice(1)}` as MessageKey)] as const),
  ];
  return (
    <form class="search-filters" action="/search" method="get" aria-label={t("search.filters")}>
      <input type="hidden" name="q" value={form.q} />
      <Choice name="sort" label={t("search.sort")} value={form.sort} options={labelled("search.sort", SORTS)} />
      <Choice
        name="duration"
        label={t("search.duration")}
        value={form.duration}
        options={labelled("search.duration", Object.keys(DURATIONS), "search.durationAny")}
      />
      <Choice name="date" label={t("search.date")} value={form.date} options={labelled("search.date", Object.keys(DATES), "search.dateAny")} />
      <Choice name="type" label={t("search.type")} value={form.type} options={labelled("search.type", Object.keys(TYPES), "search.typeAny")} />
      <Choice name="language" label={t("search.language")} value={form.language} options={[["", t("search.languageAny")], ...languages]} />
      <label class="search-filter">
        <span safe>{page.t("search.channel")}</span>
        <input
          type="text"
          name="channel"
          value={form.channel}
          placeholder={page.t("search.channelPlaceholder")}
          maxlength="64"
          autocapitalize="none"
          spellcheck="false"
        />
      </label>
      <div class="search-filter-actions">
        <button class="button" type="submit" safe>
          {page.t("search.apply")}
        </button>
        {filtered ? (
          <a href={`/search?q=${encodeURIComponent(form.q)}`} safe>
            {page.t("search.clearFilters")}
          </a>
        ) : (
          ""
        )}
      </div>
    </form>
  );
}

/** A remote channel or account with a Subscribe button that sends a Follow (pending until its instance accepts). */
function RemoteActor({ page, actor }: { page: PageContext; actor: RemoteActorCard }) {
  const t = page.t;
  return (
    <section class="remote-actor" aria-labelledby="remote-actor">
      <h2 id="remote-actor">
        <a href={actor.url} rel="noopener" safe>
          {actor.displayName}
        </a>
      </h2>
      <p class="muted" safe>{`@${actor.handle}@${actor.host}`}</p>
      {actor.description ? <p safe>{actor.description}</p> : ""}
      {!page.viewer ? (
        <a class="button primary" href={`/login?next=${encodeURIComponent(page.path)}`} safe>
          {t("subscriptions.subscribe")}
        </a>
      ) : (
        <form method="post" action={actor.follow === "none" ? "/federation/follow" : "/federation/unfollow"} class="subscribe">
          <Csrf token={page.csrfToken} />
          <input type="hidden" name="uri" value={actor.uri} />
          <input type="hidden" name="next" value={page.path} />
          <button type="submit" class={actor.follow === "none" ? "button primary" : "button subscribed"} safe>
            {actor.follow === "none" ? t("subscriptions.subscribe") : t("subscriptions.unsubscribe")}
          </button>
          {actor.follow === "pending" ? <span class="muted" safe>{t("search.followPending")}</span> : ""}
        </form>
      )}
    </section>
  );
}
