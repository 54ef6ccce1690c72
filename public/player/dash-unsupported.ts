/**
 * Stands in for `mpd-parser` in the HTTP-only bundle. VHS imports it at its top level for DASH manifests, which
 * Tubelet never serves (its playlists are HLS only); the real parser and the XML DOM it brings cost about a
 * fifth of the bundle and a large share of the player's start-up time before the first frame.
 */
function dashUnsupported(): never {
  throw new Error("DASH manifests are not supported by this player");
}

export const parse = dashUnsupported;
export const parseUTCTiming = dashUnsupported;
export const generateSidxKey = dashUnsupported;
export const addSidxSegmentsToPlaylist = dashUnsupported;
