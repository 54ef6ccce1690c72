/**
 * Live HLS as the benchmark reads it: the master and media playlists of a session (parsed by small pure
 * functions), and the moment the first segment of a new live can be fetched over HTTP, with the wall-clock
 * date (EXT-X-PROGRAM-DATE-TIME) at which each rendition's stream begins.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { waitFor } from "../../test/helpers/processes.ts";

export interface MediaSegment {
  readonly uri: string;
  readonly duration: number;
  /** Epoch milliseconds of the segment's first frame; null when the playlist carries no dates. */
  readonly programDateTime: number | null;
}

export interface MediaPlaylist {
  readonly mediaSequence: number;
  readonly segments: readonly MediaSegment[];
  readonly ended: boolean;
}

/**
 * Parses a media playlist. A segment without its own EXT-X-PROGRAM-DATE-TIME gets the previous segment's
 * date plus that segment's duration, as RFC 8216 section 4.3.2.6 describes.
 */
export function parseMediaPlaylist(text: string): MediaPlaylist {
  let mediaSequence = 0;
  let ended = false;
  let duration = 0;
  let pendingDate: number | null = null;
  let previous: MediaSegment | null = null;
  const segments: MediaSegment[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:")) mediaSequence = Number(line.slice("#EXT-X-MEDIA-SEQUENCE:".length));
    else if (line.startsWith("#EXTINF:")) duration = Number.parseFloat(line.slice("#EXTINF:".length));
    else if (line.startsWith("#EXT-X-PROGRAM-DATE-TIME:")) pendingDate = Date.parse(line.slice("#EXT-X-PROGRAM-DATE-TIME:".length));
    else if (line === "#EXT-X-ENDLIST") ended = true;
    else if (line && !line.startsWith("#")) {
      const inferred: number | null = previous?.programDateTime != null ? previous.programDateTime + previous.duration * 1000 : null;
      const segment: MediaSegment = { uri: line, duration, programDateTime: pendingDate ?? inferred };
      segments.push(segment);
      previous = segment;
      pendingDate = null;
      duration = 0;
    }
  }
  return { mediaSequence, segments, ended };
}

/** The variant playlists' URIs of a master playlist, in order. */
export function parseMasterPlaylist(text: string): string[] {
  const lines = text.split("\n").map((line) => line.trim());
  const uris: string[] = [];
  lines.forEach((line, i) => {
    if (!line.startsWith("#EXT-X-STREAM-INF")) return;
    const next = lines.slice(i + 1).find((l) => l && !l.startsWith("#"));
    if (next) uris.push(next);
  });
  return uris;
}

/**
 * Date of stream time zero in a rendition, from a playlist read early: its first segment's date minus the
 * segments already gone before it (the media sequence times the nominal segment length, exact while the
 * playlist still starts at sequence 0, which it does when read within the first window).
 */
export function streamStartDate(playlist: MediaPlaylist, segmentSeconds: number): number | null {
  const first = playlist.segments[0];
  if (!first || first.programDateTime === null) return null;
  return first.programDateTime - playlist.mediaSequence * segmentSeconds * 1000;
}

export interface FirstSegment {
  /** Epoch milliseconds when a segment of the new session was first fetched with a 200. */
  readonly fetchedAt: number;
  readonly session: string;
  /** `/static/live/<uuid>/<session>` */
  readonly basePath: string;
  /** Stream start date by media playlist file name (`720p.m3u8`), for every rendition. */
  readonly startDates: ReadonlyMap<string, number>;
  /** True when every rendition was first read at media sequence 0 (the start dates are exact). */
  readonly fromSequenceZero: boolean;
}

async function text(url: string): Promise<string | null> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  if (!response.ok) {
    await response.body?.cancel();
    return null;
  }
  return response.text();
}

/**
 * Polls every 20 ms until the live's session folder exists (the ingest creates it on publish), its master
 * playlist is served, one of its media playlists lists a segment, and that segment answers 200 over HTTP.
 * Then reads every rendition's playlist once more for its stream start date.
 */
export async function waitForFirstSegment(o: { base: string; dataDir: string; uuid: string; segmentSeconds: number; timeoutMs?: number }): Promise<FirstSegment> {
  const liveDir = join(o.dataDir, "live", o.uuid);
  const found = await waitFor(
    "the live's first segment to be fetchable",
    async () => {
      const [session] = await readdir(liveDir).catch(() => [] as string[]);
      if (!session) return null;
      const basePath = `/static/live/${o.uuid}/${session}`;
      const master = await text(`${o.base}${basePath}/master.m3u8`);
      if (!master) return null;
      for (const variant of parseMasterPlaylist(master)) {
        const media = await text(`${o.base}${basePath}/${variant}`);
        const first = media ? parseMediaPlaylist(media).segments[0] : undefined;
        if (!first) continue;
        const segment = await fetch(`${o.base}${basePath}/${first.uri}`, { signal: AbortSignal.timeout(2_000) });
        await segment.arrayBuffer();
        if (segment.ok) return { fetchedAt: Date.now(), session, basePath, variants: parseMasterPlaylist(master) };
      }
      return null;
    },
    { timeoutMs: o.timeoutMs ?? 30_000, intervalMs: 20 },
  );
  const startDates = new Map<string, number>();
  let fromSequenceZero = true;
  for (const variant of found.variants) {
    const playlist = await waitFor(`${variant} to list a segment`, async () => {
      const media = await text(`${o.base}${found.basePath}/${variant}`);
      const parsed = media ? parseMediaPlaylist(media) : null;
      return parsed && parsed.segments.length > 0 ? parsed : null;
    }, { timeoutMs: 10_000, intervalMs: 20 });
    const date = streamStartDate(playlist, o.segmentSeconds);
    if (date === null) throw new Error(`${variant} has no EXT-X-PROGRAM-DATE-TIME: the latency cannot be measured`);
    if (playlist.mediaSequence !== 0) fromSequenceZero = false;
    startDates.set(variant.split("/").pop()!, date);
  }
  return { fetchedAt: found.fetchedAt, session: found.session, basePath: found.basePath, startDates, fromSequenceZero };
}
