/**
 * The contract between the RTMP ingest and the rest of live streaming (re-exported by server.ts): who may
 * publish is decided by `RtmpHooks.authorize`, and an accepted publisher's stream arrives as FLV bytes.
 */

export interface PublishRequest {
  readonly app: string;
  /** The publish name, with any `?query` suffix removed (OBS and some clients append parameters). */
  readonly streamKey: string;
  readonly remoteAddress: string;
  readonly tcUrl: string;
}

export interface StreamInfo {
  readonly hasVideo: boolean;
  readonly hasAudio: boolean;
  readonly width?: number;
  readonly height?: number;
  readonly frameRate?: number;
  /** FLV codec ids: video 7 = H.264 (AVC), audio 10 = AAC; undefined when unknown */
  readonly videoCodecId?: number;
  readonly audioCodecId?: number;
}

export type EndReason = "unpublished" | "closed" | "error" | "timeout" | "shutdown" | "refused";

export interface PublishSession {
  /** Called once, before the first write, when the stream's make-up is known. May be async (e.g. spawn ffmpeg). */
  start(info: StreamInfo): void | Promise<void>;
  /** FLV bytes: the first call carries the FLV header (+ PreviousTagSize0), then whole tags. Backpressure: a returned promise pauses reading. */
  write(flv: Uint8Array): void | Promise<void>;
  /** The publisher is gone (deleteStream/FCUnpublish/socket closed/error/timeout/server shutdown). Called exactly once. */
  end(reason: EndReason): void;
}

export type AuthorizeResult = PublishSession | { readonly refuse: string };

export interface RtmpHooks {
  authorize(request: PublishRequest): Promise<AuthorizeResult>;
}

export interface RtmpServer {
  readonly port: number;
  connections(): number;
  close(): Promise<void>;
}

/** Bounds on what one client, or all of them, may cost the server. */
export interface RtmpLimits {
  /** Open connections across all clients; more are closed on accept. */
  readonly maxConnections: number;
  /** Open connections from one remote address. */
  readonly maxConnectionsPerIp: number;
  /** C0+C1+C2 must have arrived within this many ms of accept. */
  readonly handshakeTimeoutMs: number;
  /** The authorize decision (publish received and the hook answered) must come within this many ms of accept. */
  readonly publishTimeoutMs: number;
  /** A publishing client that sends no audio or video for this long is dropped with end("timeout"). */
  readonly idleTimeoutMs: number;
  /** Largest Set Chunk Size accepted. */
  readonly maxChunkSize: number;
  /** Largest single message accepted (a keyframe of a 4K stream is well under 8 MiB). */
  readonly maxMessageSize: number;
  /** Chunk streams one connection may use (ffmpeg and OBS use fewer than ten). */
  readonly maxChunkStreams: number;
  /** Unparsed bytes held while the authorize hook runs, and media held while the stream's make-up is probed. */
  readonly maxPendingBytes: number;
  /** Without onMetaData, media is held this long (media timestamps, ms) to see whether audio and video both come. */
  readonly probeWindowMs: number;
  /** ...or until this many media messages have been held, whichever comes first. */
  readonly probeMaxMessages: number;
}
