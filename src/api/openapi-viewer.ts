/** OpenAPI entries for the viewer features' endpoints: videos, search, comments, ratings, subscriptions, notifications, playlists, settings. */

type Method = "get" | "post" | "put" | "delete";

/** [method, path, summary, needs a logged-in user] for each endpoint; responses follow PeerTube's shapes. */
const ENDPOINTS: readonly [Method, string, string, boolean][] = [
  ["get", "/videos", "Public videos, newest first ({ total, data })", false],
  ["get", "/videos/{id}", "A video the caller may see", false],
  ["put", "/videos/{id}", "Edit a video (owner or admin)", true],
  ["delete", "/videos/{id}", "Delete a video and its files (owner or admin)", true],
  ["post", "/videos/upload", "Upload a video in one multipart request", true],
  ["post", "/videos/upload-resumable", "Start a resumable upload", true],
  ["get", "/search/videos", "Full-text video search with typo tolerance, filters and sort", false],
  ["get", "/search/video-channels", "Channel search", false],
  ["get", "/videos/{id}/comment-threads", "Comment threads of a video, newest first", false],
  ["post", "/videos/{id}/comment-threads", "Start a comment thread", true],
  ["get", "/videos/{id}/comment-threads/{threadId}", "A thread with its replies as a tree", false],
  ["post", "/videos/{id}/comments/{commentId}", "Reply to a comment", true],
  ["delete", "/videos/{id}/comments/{commentId}", "Delete a comment (author, video owner or admin); replies stay", true],
  ["put", "/videos/{id}/rate", "Like, dislike or clear your rating ({ rating })", true],
  ["get", "/users/me/videos/{videoId}/rating", "Your rating of a video", true],
  ["get", "/users/me/subscriptions", "Channels you subscribe to", true],
  ["post", "/users/me/subscriptions", "Subscribe to a channel ({ uri })", true],
  ["delete", "/users/me/subscriptions/{handle}", "Unsubscribe", true],
  ["get", "/users/me/subscriptions/videos", "Newest videos of your subscriptions", true],
  ["get", "/users/me/subscriptions/exist", "Whether you subscribe to each of ?uris=", true],
  ["get", "/users/me/notifications", "Your notifications, newest first", true],
  ["post", "/users/me/notifications/read", "Mark notifications read ({ ids })", true],
  ["post", "/users/me/notifications/read-all", "Mark every notification read", true],
  ["put", "/users/me/notification-settings", "Turn notification types on or off", true],
  ["get", "/video-playlists", "Public playlists", false],
  ["post", "/video-playlists", "Create a playlist", true],
  ["get", "/video-playlists/{id}", "A playlist the caller may see", false],
  ["put", "/video-playlists/{id}", "Edit a playlist (owner)", true],
  ["delete", "/video-playlists/{id}", "Delete a playlist (owner; not Watch later)", true],
  ["get", "/video-playlists/{id}/videos", "A playlist's elements in order", false],
  ["post", "/video-playlists/{id}/videos", "Add a video ({ videoId })", true],
  ["delete", "/video-playlists/{id}/videos/{elementId}", "Remove an element", true],
  ["post", "/video-playlists/{id}/videos/reorder", "Move elements ({ startPosition, insertAfterPosition, reorderLength })", true],
  ["get", "/users/me/video-playlists/videos-exist", "Which of your playlists hold each of ?videoIds=", true],
  ["get", "/accounts/{name}/video-playlists", "An account's playlists the caller may see", false],
  ["put", "/users/me", "Edit your profile, preferences or password", true],
  ["post", "/users/me/avatar/pick", "Upload your avatar (multipart avatarfile)", true],
  ["delete", "/users/me/avatar", "Remove your avatar", true],
];

const ERROR = { $ref: "#/components/responses/Error" };

/** The `paths` entries for ENDPOINTS, merged per path. */
export function viewerPaths(): Record<string, Record<string, object>> {
  const paths: Record<string, Record<string, object>> = {};
  for (const [method, path, summary, auth] of ENDPOINTS) {
    const parameters = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: "path", required: true, schema: { type: "string" } }));
    const responses = auth ? { 200: { description: "OK" }, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR } : { 200: { description: "OK" }, 400: ERROR, 404: ERROR };
    (paths[path] ??= {})[method] = { summary, ...(parameters.length ? { parameters } : {}), ...(auth ? { security: [{ OAuth2: [] }] } : {}), responses };
  }
  return paths;
}
