/**
 * One publisher's connection as a state machine with no I/O: bytes and clock ticks in, actions out (bytes to
 * send, ask for authorization, start, FLV media, unpublish, close). The server performs the actions; tests
 * and fuzzers drive it directly.
 *
 * Flow: handshake -> connect(app) -> createStream -> publish(key) -> [authorize] -> Publish.Start -> media.
 * While authorization is pending nothing after the publish command is parsed: its bytes stay queued (bounded)
 * and are parsed only once the key is accepted, so no media of a refused publisher is ever forwarded.
 */
import { Amf0Error, concatBytes, decodeAmf0All, type Amf0Value } from "./amf0.ts";
import { ChunkReader, MessageType, type RtmpMessage } from "./chunks.ts";
import { flvHeader, flvTag, FlvTagType, readMetadataMessage, streamInfoFromMedia, streamInfoFromMetadata, type ScriptData } from "./flv.ts";
import { ServerHandshake } from "./handshake.ts";
import {
  acknowledgementMessage, commandMessage, onStatusMessage, setChunkSizeMessage, setPeerBandwidthMessage, statusInfo,
  UserControlEvent, userControlMessage, windowAckSizeMessage,
} from "./messages.ts";
import type { RtmpLimits, StreamInfo } from "./types.ts";

/** Defaults sized for OBS and ffmpeg publishers on a small instance. */
export const DEFAULT_RTMP_LIMITS: RtmpLimits = Object.freeze({
  maxConnections: 64,
  maxConnectionsPerIp: 8,
  handshakeTimeoutMs: 5_000,
  publishTimeoutMs: 15_000,
  idleTimeoutMs: 30_000,
  maxChunkSize: 1 << 20,
  maxMessageSize: 8 << 20,
  maxChunkStreams: 64,
  maxPendingBytes: 2 << 20,
  probeWindowMs: 1_000,
  probeMaxMessages: 64,
});

/** The only application name accepted in connect (rtmp://host/live/KEY). */
export const RTMP_APP = "live";
/** The message stream id handed out by createStream; a publish must arrive on it. */
export const PUBLISH_STREAM_ID = 1;
/** Our outgoing chunk size after connect, and the window/bandwidth we announce (the values common servers use). */
const OUT_CHUNK_SIZE = 4096;
const WINDOW_SIZE = 2_500_000;

export type CloseReason = "error" | "refused" | "timeout";

export type SessionAction =
  | { readonly kind: "send"; readonly bytes: Uint8Array }
  | { readonly kind: "authorize"; readonly app: string; readonly streamKey: string; readonly tcUrl: string }
  | { readonly kind: "start"; readonly info: StreamInfo }
  | { readonly kind: "media"; readonly flv: Uint8Array }
  | { readonly kind: "unpublish" }
  | { readonly kind: "close"; readonly reason: CloseReason; readonly message: string };

export type SessionPhase = "handshake" | "connect" | "connected" | "authorizing" | "publishing" | "unpublished" | "closed";

/** Removes a `?query` suffix from a publish name: OBS and some clients append parameters to the key. */
export function streamKeyFromPublishName(name: string): string {
  const query = name.indexOf("?");
  return query === -1 ? name : name.slice(0, query);
}

/** The app of a connect command, without a `?query` and trailing slashes ("live/" and "live?x" mean "live"). */
export function normalizeApp(app: string): string {
  const query = app.indexOf("?");
  return (query === -1 ? app : app.slice(0, query)).replace(/\/+$/, "");
}

class SessionClosed extends Error {}

interface Probe {
  readonly startedAt: number;
  readonly messages: RtmpMessage[];
  bytes: number;
  firstVideo?: Uint8Array;
  firstAudio?: Uint8Array;
}

/** One RTMP publisher's protocol state. No method throws: malformed input becomes a "close" action. */
export class RtmpSession {
  private phaseNow: SessionPhase = "handshake";
  private readonly handshake: ServerHandshake;
  private readonly reader: ChunkReader;
  private readonly acceptedAt: number;
  private outChunkSize = 128;
  private streamCreated = false;
  private app = "";
  private tcUrl = "";
  private peerWindow = 0;
  private received = 0;
  private acknowledged = 0;
  private lastMediaAt = 0;
  private metadata: ScriptData | null = null;
  private info: StreamInfo | null = null;
  private probe: Probe | null = null;
  private out: SessionAction[] = [];

  constructor(
    private readonly limits: RtmpLimits,
    now: number,
    randomFiller: () => Uint8Array = () => crypto.getRandomValues(new Uint8Array(1528)),
  ) {
    this.acceptedAt = now;
    this.handshake = new ServerHandshake(randomFiller);
    this.reader = new ChunkReader(limits);
  }

  get phase(): SessionPhase {
    return this.phaseNow;
  }

  /** Bytes held in memory for this connection (queued input, partial messages, probed media). */
  get bufferedBytes(): number {
    return this.reader.bufferedBytes + (this.probe?.bytes ?? 0);
  }

  /** Feeds bytes from the socket. The session keeps references to them: do not reuse the array. */
  receive(bytes: Uint8Array, now: number): SessionAction[] {
    return this.run(() => {
      if (this.phaseNow === "closed") return;
      if (this.phaseNow === "handshake") {
        const step = this.handshake.push(bytes);
        if (step.error) return this.close("error", step.error);
        if (step.reply) this.send(step.reply);
        if (!step.done) return;
        this.phaseNow = "connect";
        bytes = step.rest;
      }
      this.received = (this.received + bytes.length) >>> 0;
      this.reader.push(bytes);
      this.pump(now);
    });
  }

  /** The authorize hook's answer for the pending publish. */
  authorized(result: { readonly accepted: true } | { readonly refuse: string }, now: number): SessionAction[] {
    return this.run(() => {
      if (this.phaseNow !== "authorizing") return;
      if ("refuse" in result) return this.refusePublish("NetStream.Publish.BadName", result.refuse);
      this.phaseNow = "publishing";
      this.lastMediaAt = now;
      this.send(userControlMessage(UserControlEvent.streamBegin, PUBLISH_STREAM_ID, this.outChunkSize));
      this.send(onStatusMessage(PUBLISH_STREAM_ID, "status", "NetStream.Publish.Start", "Publishing.", this.outChunkSize));
      this.pump(now);
    });
  }

  /** Clock tick: enforces the handshake, publish and idle deadlines and ends a media probe that ran long. */
  tick(now: number): SessionAction[] {
    return this.run(() => {
      const age = now - this.acceptedAt;
      const phase = this.phaseNow;
      if (phase === "handshake" && age > this.limits.handshakeTimeoutMs) return this.close("timeout", "handshake timed out");
      if ((phase === "connect" || phase === "connected" || phase === "authorizing") && age > this.limits.publishTimeoutMs) {
        return this.close("timeout", "no accepted publish in time");
      }
      if ((phase === "publishing" || phase === "unpublished") && now - this.lastMediaAt > this.limits.idleTimeoutMs) {
        return this.close("timeout", "no media in time");
      }
      if (this.probe && now - this.probe.startedAt >= this.limits.probeWindowMs) this.finishProbe();
    });
  }

  /** Runs a step, collecting its actions; an unexpected exception closes the session instead of escaping. */
  private run(step: () => void): SessionAction[] {
    try {
      step();
    } catch (error) {
      if (!(error instanceof SessionClosed)) this.close("error", `internal: ${(error as Error)?.message ?? error}`, false);
    }
    const out = this.out;
    this.out = [];
    return out;
  }

  private send(bytes: Uint8Array): void {
    this.out.push({ kind: "send", bytes });
  }

  /** Emits a close action and stops; throws SessionClosed to unwind the current step (caught in run). */
  private close(reason: CloseReason, message: string, unwind = true): never | void {
    if (this.phaseNow !== "closed") {
      this.phaseNow = "closed";
      this.probe = null;
      this.reader.discard();
      this.out.push({ kind: "close", reason, message });
    }
    if (unwind) throw new SessionClosed(message);
  }

  /** Parses queued messages, except while authorization is pending. */
  private pump(now: number): void {
    while (this.phaseNow !== "authorizing" && this.phaseNow !== "closed") {
      const result = this.reader.read();
      if (result.kind === "more") break;
      if (result.kind === "error") return this.close("error", result.reason);
      this.handleMessage(result.message, now);
    }
    if (this.phaseNow === "authorizing" && this.reader.bufferedBytes > this.limits.maxPendingBytes) {
      this.close("error", "too much data while the stream key was being checked");
    }
    this.maybeAcknowledge();
  }

  /** Sends an Acknowledgement each time a window's worth of bytes has arrived, as the client asked. */
  private maybeAcknowledge(): void {
    if (this.peerWindow <= 0) return;
    if (((this.received - this.acknowledged) >>> 0) < this.peerWindow) return;
    this.acknowledged = this.received;
    this.send(acknowledgementMessage(this.received, this.outChunkSize));
  }

  private handleMessage(message: RtmpMessage, now: number): void {
    const { payload } = message;
    switch (message.typeId) {
      case MessageType.windowAckSize:
        if (payload.length >= 4) this.peerWindow = new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0);
        return;
      case MessageType.userControl:
        return this.userControl(payload);
      case MessageType.commandAmf0:
        return this.command(message, decodeCommand(payload));
      case MessageType.commandAmf3:
        // An AMF3 command message starts with a format byte; publishers that send one keep the values AMF0.
        return this.command(message, decodeCommand(payload.subarray(1)));
      case MessageType.dataAmf0:
        return this.data(payload);
      case MessageType.audio:
      case MessageType.video:
        return this.media(message, now);
      default:
        return; // Set Chunk Size and Abort were applied by the reader; acks and bandwidth need nothing
    }
  }

  private userControl(payload: Uint8Array): void {
    if (payload.length < 6) return;
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    if (view.getUint16(0) === UserControlEvent.pingRequest) {
      this.send(userControlMessage(UserControlEvent.pingResponse, view.getUint32(2), this.outChunkSize));
    }
  }

  private command(message: RtmpMessage, values: Amf0Value[] | string): void {
    if (typeof values === "string") return this.close("error", values);
    const [name, transactionId, commandObject, ...args] = values;
    if (typeof name !== "string") return this.close("error", "command without a name");
    const tx = typeof transactionId === "number" ? transactionId : 0;
    if (this.phaseNow === "connect") {
      if (name !== "connect") return this.close("error", `expected connect, got ${name}`);
      return this.connect(tx, commandObject);
    }
    switch (name) {
      case "connect":
        return this.close("error", "second connect on one connection");
      case "createStream":
        this.streamCreated = true;
        return this.send(commandMessage(0, "_result", tx, [null, PUBLISH_STREAM_ID], this.outChunkSize));
      case "publish":
        return this.publish(message.streamId, args[0]);
      case "FCUnpublish":
      case "deleteStream":
      case "closeStream":
        if (this.phaseNow === "publishing") this.unpublish();
        return;
      default:
        return; // releaseStream, FCPublish, getStreamLength...: publishers need no answer
    }
  }

  private connect(tx: number, commandObject: Amf0Value): void {
    const object = commandObject && typeof commandObject === "object" && !Array.isArray(commandObject) && !(commandObject instanceof Date)
      ? (commandObject as Record<string, Amf0Value>)
      : {};
    const app = typeof object.app === "string" ? normalizeApp(object.app) : "";
    this.tcUrl = typeof object.tcUrl === "string" ? object.tcUrl : "";
    if (app !== RTMP_APP) {
      const info = statusInfo("error", "NetConnection.Connect.Rejected", `unknown application "${app}"`);
      this.send(commandMessage(0, "_error", tx, [null, info], this.outChunkSize));
      return this.close("refused", `connect to unknown application "${app}"`);
    }
    this.app = app;
    this.send(windowAckSizeMessage(WINDOW_SIZE, this.outChunkSize));
    this.send(setPeerBandwidthMessage(WINDOW_SIZE, this.outChunkSize));
    this.send(setChunkSizeMessage(OUT_CHUNK_SIZE, this.outChunkSize));
    this.outChunkSize = OUT_CHUNK_SIZE;
    const properties = { fmsVer: "FMS/3,0,1,123", capabilities: 31 };
    const info = statusInfo("status", "NetConnection.Connect.Success", "Connection succeeded.", { objectEncoding: 0 });
    this.send(commandMessage(0, "_result", tx, [properties, info], this.outChunkSize));
    this.phaseNow = "connected";
  }

  private publish(streamId: number, name: Amf0Value): void {
    if (this.phaseNow !== "connected") return this.refusePublish("NetStream.Publish.BadName", "this connection already published");
    if (!this.streamCreated || streamId !== PUBLISH_STREAM_ID) {
      return this.refusePublish("NetStream.Publish.Failed", "publish before createStream");
    }
    const streamKey = typeof name === "string" ? streamKeyFromPublishName(name) : "";
    if (streamKey === "") return this.refusePublish("NetStream.Publish.BadName", "empty stream key");
    this.phaseNow = "authorizing";
    this.out.push({ kind: "authorize", app: this.app, streamKey, tcUrl: this.tcUrl });
  }

  private refusePublish(code: string, reason: string): void {
    this.send(onStatusMessage(PUBLISH_STREAM_ID, "error", code, reason, this.outChunkSize));
    this.close("refused", reason);
  }

  private unpublish(): void {
    this.phaseNow = "unpublished";
    this.probe = null;
    this.out.push({ kind: "unpublish" });
  }

  private data(payload: Uint8Array): void {
    if (this.phaseNow !== "publishing") return;
    const script = readMetadataMessage(payload);
    if (!script) return;
    if (this.info) return this.emitMedia(flvTag(FlvTagType.script, 0, script.body));
    this.metadata = script;
    const info = streamInfoFromMetadata(script.properties);
    if (info && !this.probe) this.startStream(info, []);
  }

  private media(message: RtmpMessage, now: number): void {
    if (this.phaseNow !== "publishing") return;
    this.lastMediaAt = now;
    if (message.payload.length === 0) return;
    if (this.info) return this.forward(message);
    const probe = (this.probe ??= { startedAt: now, messages: [], bytes: 0 });
    probe.messages.push(message);
    probe.bytes += message.payload.length;
    if (message.typeId === MessageType.video) probe.firstVideo ??= message.payload;
    else probe.firstAudio ??= message.payload;
    const span = (message.timestamp - probe.messages[0]!.timestamp) >>> 0;
    const complete = probe.firstVideo !== undefined && probe.firstAudio !== undefined;
    if (complete || span >= this.limits.probeWindowMs || probe.messages.length >= this.limits.probeMaxMessages || probe.bytes >= this.limits.maxPendingBytes) {
      this.finishProbe();
    }
  }

  /** Decides the stream's make-up from the media held so far (audio and/or video) and releases it. */
  private finishProbe(): void {
    const probe = this.probe;
    if (!probe || this.info) return;
    this.probe = null;
    const fromMetadata = this.metadata ? streamInfoFromMetadata(this.metadata.properties) : null;
    this.startStream(fromMetadata ?? streamInfoFromMedia(probe.firstVideo, probe.firstAudio), probe.messages);
  }

  private startStream(info: StreamInfo, held: readonly RtmpMessage[]): void {
    this.info = info;
    this.out.push({ kind: "start", info });
    const parts = [flvHeader(info.hasVideo, info.hasAudio)];
    if (this.metadata) parts.push(flvTag(FlvTagType.script, 0, this.metadata.body));
    this.emitMedia(parts.length === 1 ? parts[0]! : concatBytes(parts));
    for (const message of held) this.forward(message);
  }

  /** Forwards one audio/video message as an FLV tag, unless the FLV header did not announce its kind. */
  private forward(message: RtmpMessage): void {
    const info = this.info!;
    const isVideo = message.typeId === MessageType.video;
    if (isVideo ? !info.hasVideo : !info.hasAudio) return;
    this.emitMedia(flvTag(isVideo ? FlvTagType.video : FlvTagType.audio, message.timestamp, message.payload));
  }

  private emitMedia(flv: Uint8Array): void {
    this.out.push({ kind: "media", flv });
  }
}

function decodeCommand(payload: Uint8Array): Amf0Value[] | string {
  try {
    return decodeAmf0All(payload);
  } catch (error) {
    if (error instanceof Amf0Error) return `malformed command: ${error.message}`;
    throw error;
  }
}
