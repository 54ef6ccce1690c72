/** Friendly error pages (404, 403, 500 and the rest). */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";

const HEADINGS: Record<number, string> = {
  400: "That did not work",
  401: "Please log in",
  403: "Not allowed",
  404: "Page not found",
  409: "Already taken",
  413: "Too large",
  429: "Slow down",
  500: "Something went wrong",
};

export function ErrorPage({ page, status, message }: { page: PageContext; status: number; message: string }) {
  const heading = HEADINGS[status] ?? "Something went wrong";
  return (
    <Layout page={page} title={heading}>
      <section class="card narrow error-page">
        <p class="status" safe>{String(status)}</p>
        <h1 safe>{heading}</h1>
        <p safe>{message}</p>
        <p>
          <a href="/">Back to the home page</a>
        </p>
      </section>
    </Layout>
  );
}
