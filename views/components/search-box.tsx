/**
 * The header's search box. As the person types, htmx fetches suggestions (links to videos and channels) into a
 * list under it; public/js/search.js moves through them with the arrow keys and closes the list with Escape.
 */
import type { PageContext } from "../context.ts";

export function SearchBox({ page }: { page: PageContext }) {
  return (
    <form class="search" action="/search" method="get" role="search">
      <label class="visually-hidden" for="search-q" safe>
        {page.t("layout.search")}
      </label>
      <input
        id="search-q"
        type="search"
        name="q"
        placeholder={page.t("layout.searchPlaceholder")}
        value={page.query ?? ""}
        maxlength="200"
        autocomplete="off"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded="false"
        aria-controls="search-suggestions"
        hx-get="/search/suggest"
        hx-trigger="input changed delay:200ms, search"
        hx-target="#search-suggestions"
        hx-swap="innerHTML"
        hx-sync="this:replace"
      />
      <ul id="search-suggestions" class="search-suggestions" role="listbox" aria-label={page.t("search.suggestions")} hidden></ul>
    </form>
  );
}

export interface SuggestionView {
  readonly href: string;
  readonly label: string;
  readonly kind: "video" | "channel";
}

/** The list items htmx puts under the box: options that are also plain links, so a click simply follows them. */
export function SearchSuggestions({ page, suggestions }: { page: PageContext; suggestions: readonly SuggestionView[] }) {
  return (
    <>
      {suggestions.map((s, i) => (
        <li role="presentation">
          <a id={`search-option-${i}`} role="option" aria-selected="false" tabindex="-1" href={s.href} class="search-option">
            <span class="search-option-kind" safe>
              {page.t(s.kind === "video" ? "search.suggestVideo" : "search.suggestChannel")}
            </span>
            <span class="search-option-label" safe>
              {s.label}
            </span>
          </a>
        </li>
      ))}
    </>
  );
}
