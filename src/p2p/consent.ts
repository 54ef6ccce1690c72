/**
 * Who becomes a peer. P2P shares the viewer's IP address with other viewers, so nobody is made a peer
 * without knowing it: the instance sets a default (off / ask / on), and each viewer's own choice (profile
 * for logged-in people, a cookie otherwise) wins over "ask" and "on". "off" turns P2P off for everyone.
 */

export type P2PDefault = "off" | "ask" | "on";
export type Choice = "on" | "off";

export const P2P_COOKIE = "tubelet_p2p";

export interface PlayerMode {
  /** Load the P2P bundle (WebRTC) or the HTTP-only one. */
  readonly p2p: boolean;
  /** Show the notice under the player: "ask" asks, "info" says P2P is on and how to turn it off. */
  readonly notice: "ask" | "info" | null;
}

/** Decides the player from the instance default, the profile's choice and the cookie's. */
export function playerMode(instance: P2PDefault, profile: Choice | null, cookie: string | undefined): PlayerMode {
  if (instance === "off") return { p2p: false, notice: null };
  const choice = profile ?? (cookie === "on" || cookie === "off" ? cookie : null);
  if (choice === "on") return { p2p: true, notice: null };
  if (choice === "off") return { p2p: false, notice: null };
  return instance === "on" ? { p2p: true, notice: "info" } : { p2p: false, notice: "ask" };
}
