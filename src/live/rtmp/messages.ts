/**
 * The messages the ingest sends, already chunked: protocol control (spec 5.4), user control (spec 7.1.7) and
 * AMF0 commands (spec 7.2). Pure functions of their values and the chunk size in force.
 */
import { encodeAmf0, type Amf0Object, type Amf0Value } from "./amf0.ts";
import { encodeChunks, MessageType } from "./chunks.ts";

/** Chunk streams we send on: 2 is reserved for protocol control; commands and stream status go on 3 and 5. */
const CONTROL_CSID = 2;
const COMMAND_CSID = 3;
const STATUS_CSID = 5;

/** User control event types (spec 7.1.7). */
export const UserControlEvent = { streamBegin: 0, pingRequest: 6, pingResponse: 7 } as const;

function control(typeId: number, payload: Uint8Array, chunkSize: number): Uint8Array {
  return encodeChunks({ csid: CONTROL_CSID, typeId, streamId: 0, timestamp: 0, payload }, chunkSize);
}

function u32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value >>> 0);
  return bytes;
}

/** Set Chunk Size: the size of the chunks we send from now on. */
export function setChunkSizeMessage(size: number, chunkSize: number): Uint8Array {
  return control(MessageType.setChunkSize, u32(size & 0x7fffffff), chunkSize);
}

/** Acknowledgement: how many bytes we have received so far (modulo 2^32). */
export function acknowledgementMessage(sequence: number, chunkSize: number): Uint8Array {
  return control(MessageType.acknowledgement, u32(sequence), chunkSize);
}

/** Window Acknowledgement Size: how often we want the peer to acknowledge what we send. */
export function windowAckSizeMessage(size: number, chunkSize: number): Uint8Array {
  return control(MessageType.windowAckSize, u32(size), chunkSize);
}

/** Set Peer Bandwidth with limit type 2 (dynamic). */
export function setPeerBandwidthMessage(size: number, chunkSize: number): Uint8Array {
  const payload = new Uint8Array(5);
  payload.set(u32(size));
  payload[4] = 2;
  return control(MessageType.setPeerBandwidth, payload, chunkSize);
}

/** A user control event with one 32-bit value (Stream Begin: a stream id; Ping Response: the ping's timestamp). */
export function userControlMessage(event: number, value: number, chunkSize: number): Uint8Array {
  const payload = new Uint8Array(6);
  const view = new DataView(payload.buffer);
  view.setUint16(0, event);
  view.setUint32(2, value >>> 0);
  return control(MessageType.userControl, payload, chunkSize);
}

/** An AMF0 command: name, transaction id, then the values (command object first). */
export function commandMessage(streamId: number, name: string, transactionId: number, values: readonly Amf0Value[], chunkSize: number): Uint8Array {
  const csid = streamId === 0 ? COMMAND_CSID : STATUS_CSID;
  const payload = encodeAmf0(name, transactionId, ...values);
  return encodeChunks({ csid, typeId: MessageType.commandAmf0, streamId, timestamp: 0, payload }, chunkSize);
}

/** The info object of `_result`/`_error`/`onStatus`. */
export function statusInfo(level: "status" | "error", code: string, description: string, extra: Amf0Object = {}): Amf0Object {
  return { level, code, description, ...extra };
}

/** onStatus on a message stream, e.g. NetStream.Publish.Start or NetStream.Publish.BadName. */
export function onStatusMessage(streamId: number, level: "status" | "error", code: string, description: string, chunkSize: number): Uint8Array {
  return commandMessage(streamId, "onStatus", 0, [null, statusInfo(level, code, description)], chunkSize);
}
