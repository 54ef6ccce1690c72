/** Friendly error pages (404, 403, 500 and the rest). */
import type { MessageKey } from "../../src/i18n/i18n.ts";
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";

const HEADINGS: Readonly<Record<number, MessageKey>> = {
  400: "error.400",
  401: "error.401",
  403: "error.403",
  404: "error.404",
  409: "error.409",
  413: "error.413",
  429: "error.429",
  500: "error.500",
};

/** The page's heading for a status, in the page's language. */
export function errorHeading(page: PageContext, status: number): string {
  return page.t(HEADINGS[status] ?? "error.500");
}

export function ErrorPage({ page, status, message }: { page: PageContext; status: number; message: string }) {
  const heading = errorHeading(page, status);
  return (
    <Layout page={page} title={heading}>
      <section class="card narrow error-page">
        <p class="status" safe>{String(status)}</p>
        <h1 safe>{heading}</h1>
        <p safe>{message}</p>
        <p>
          <a href="/" safe>
            {page.t("error.back")}
          </a>
        </p>
      </section>
    </Layout>
  );
}
