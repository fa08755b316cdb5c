// Decode and validate pose_estimation_ros wire format v1 datagrams (see docs/wire-format.md).
// No Node.js APIs here: the same module works in a browser / three.js front end that gets the
// datagrams' bytes some other way (for instance relayed over a WebSocket).
import { Decoder } from "@msgpack/msgpack";

export const WIRE_VERSION = 1;
export const MAX_UDP_PAYLOAD_BYTES = 65507;
// Bounds (docs/wire-format.md, "Bounds"), the same numbers as the Python and C# receivers.
export const MAX_PEOPLE_PER_FRAME = 256;
export const MAX_PARTS = 256;
export const MAX_FRAME_BYTES = 2 ** 20;
export const MAX_NESTING_DEPTH = 16;
export const VALUES_PER_KEYPOINT = 3; // x, y, score
export const BOX_VALUES = 4; // x_min, y_min, x_max, y_max
const UINT32_LIMIT = 2 ** 32;
const HALF_RANGE = 2 ** 31;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const NANOSECONDS_PER_SECOND = 1e9;

export const Key = Object.freeze({
  version: "version",
  stream: "stream",
  sequence: "seq",
  part: "part",
  parts: "parts",
  stampSec: "stamp_sec",
  stampNanosec: "stamp_nanosec",
  frameId: "frame_id",
  width: "width",
  height: "height",
  model: "model",
  layout: "layout",
  numKeypoints: "num_keypoints",
  people: "people",
  id: "id",
  score: "score",
  box: "box",
  keypoints: "keypoints",
});

export class WireFormatError extends Error {
  constructor(message) {
    super(message);
    this.name = "WireFormatError";
  }
}

function isMap(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value) &&
    !(value instanceof Uint8Array);
}

function field(map, key, where) {
  if (!Object.prototype.hasOwnProperty.call(map, key)) {
    throw new WireFormatError(`${where} has no '${key}' field`);
  }
  return map[key];
}

function int(map, key, where, low, high) {
  const value = field(map, key, where);
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new WireFormatError(`${where} field '${key}' must be an integer, got ${JSON.stringify(value)}`);
  }
  if (value < low || value > high) {
    throw new WireFormatError(`${where} field '${key}' is ${value}, must be in ${low}..${high}`);
  }
  return value;
}

function str(map, key, where) {
  const value = field(map, key, where);
  if (typeof value !== "string") {
    throw new WireFormatError(`${where} field '${key}' must be a string`);
  }
  return value;
}

function finite(value, where, key) {
  const single = Math.fround(value);
  if (!Number.isFinite(single)) {
    throw new WireFormatError(`${where} field '${key}' holds ${value}: floats must be finite float32`);
  }
  return single;
}

function num(map, key, where) {
  const value = field(map, key, where);
  if (typeof value !== "number") {
    throw new WireFormatError(`${where} field '${key}' must be a number, got ${JSON.stringify(value)}`);
  }
  return finite(value, where, key);
}

function floats(map, key, where, count) {
  const value = field(map, key, where);
  if (!Array.isArray(value)) {
    throw new WireFormatError(`${where} field '${key}' must be an array of numbers`);
  }
  if (value.length !== count) {
    throw new WireFormatError(
      `${where} field '${key}' has ${value.length} numbers, expected ${count}`);
  }
  if (!value.every((v) => typeof v === "number")) {
    throw new WireFormatError(`${where} field '${key}' must hold only numbers`);
  }
  return Float32Array.from(value, (v) => finite(v, where, key));
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

// @msgpack/msgpack replaces invalid UTF-8; the wire format refuses it. decodeString is the one
// place every msgpack str (keys included) goes through; checked while its bytes are at hand.
class StrictDecoder extends Decoder {
  decodeString(byteLength, headerOffset) {
    const start = this.pos + headerOffset;
    if (byteLength <= this.maxStrLength && start + byteLength <= this.bytes.byteLength) {
      try {
        strictUtf8.decode(this.bytes.subarray(start, start + byteLength));
      } catch {
        throw new WireFormatError(`datagram is not valid msgpack: a string at offset ${start} is not UTF-8`);
      }
    }
    return super.decodeString(byteLength, headerOffset);
  }
}

/** Containers nested in value (itself included), counting no further than limit + 1. */
function depth(value, limit) {
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return 0;
  if (limit <= 0) return 1;
  let deepest = 0;
  for (const child of Array.isArray(value) ? value : Object.values(value)) {
    deepest = Math.max(deepest, depth(child, limit - 1));
    if (deepest >= limit) break;
  }
  return 1 + deepest;
}

function unpack(bytes) {
  const size = bytes.length;
  const decoder = new StrictDecoder({
    maxStrLength: size,
    maxBinLength: 0,
    maxExtLength: 0,
    maxArrayLength: size,
    maxMapLength: Math.floor(size / 2),
  });
  let root;
  try {
    root = decoder.decode(bytes); // also refuses bytes after the map
  } catch (error) {
    if (error instanceof WireFormatError) throw error;
    throw new WireFormatError(`datagram is not valid msgpack: ${error.message || error.name}`);
  }
  if (depth(root, MAX_NESTING_DEPTH) > MAX_NESTING_DEPTH) {
    throw new WireFormatError(`datagram nests containers deeper than ${MAX_NESTING_DEPTH} levels`);
  }
  return root;
}

function person(value, where, numKeypoints) {
  if (!isMap(value)) throw new WireFormatError(`${where} must be a msgpack map`);
  return {
    id: int(value, Key.id, where, INT32_MIN, INT32_MAX),
    score: num(value, Key.score, where),
    box: floats(value, Key.box, where, BOX_VALUES),
    // x0, y0, score0, x1, ... in source-image pixels (origin top-left, y down)
    keypoints: floats(value, Key.keypoints, where, VALUES_PER_KEYPOINT * numKeypoints),
  };
}

/**
 * Decode one datagram (Uint8Array or Buffer); throws WireFormatError saying what is wrong.
 * Returns {sequence, stream, part, parts, stampSec, stampNanosec, frameId, width, height,
 * model, layout, numKeypoints, people: [{id, score, box: Float32Array(4),
 * keypoints: Float32Array(3 * numKeypoints)}]}.
 */
export function decodeDatagram(bytes) {
  if (!(bytes instanceof Uint8Array)) {
    throw new WireFormatError("datagram must be a Uint8Array or Buffer");
  }
  if (bytes.length < 1 || bytes.length > MAX_UDP_PAYLOAD_BYTES) {
    throw new WireFormatError(
      `datagram has ${bytes.length} bytes, must be 1..${MAX_UDP_PAYLOAD_BYTES}`);
  }
  const root = unpack(bytes);
  const where = "datagram";
  if (!isMap(root)) throw new WireFormatError("datagram must be a msgpack map");
  const version = int(root, Key.version, where, 0, UINT32_LIMIT - 1);
  if (version !== WIRE_VERSION) {
    throw new WireFormatError(
      `unsupported wire format version ${version}; this decoder reads ${WIRE_VERSION}`);
  }
  const parts = int(root, Key.parts, where, 1, MAX_PARTS);
  const part = int(root, Key.part, where, 0, parts - 1);
  const numKeypoints = int(root, Key.numKeypoints, where, 0, MAX_UDP_PAYLOAD_BYTES);
  const people = field(root, Key.people, where);
  if (!Array.isArray(people)) throw new WireFormatError("datagram field 'people' must be an array");
  if (people.length > MAX_PEOPLE_PER_FRAME) {
    throw new WireFormatError(
      `datagram holds ${people.length} people, at most ${MAX_PEOPLE_PER_FRAME}`);
  }
  return {
    sequence: int(root, Key.sequence, where, 0, UINT32_LIMIT - 1),
    stream: int(root, Key.stream, where, 0, UINT32_LIMIT - 1),
    part,
    parts,
    stampSec: int(root, Key.stampSec, where, INT32_MIN, INT32_MAX),
    stampNanosec: int(root, Key.stampNanosec, where, 0, NANOSECONDS_PER_SECOND - 1),
    frameId: str(root, Key.frameId, where),
    width: int(root, Key.width, where, 0, UINT32_LIMIT - 1),
    height: int(root, Key.height, where, 0, UINT32_LIMIT - 1),
    model: str(root, Key.model, where),
    layout: str(root, Key.layout, where),
    numKeypoints,
    people: people.map((p, i) => person(p, `people[${i}]`, numKeypoints)),
  };
}

/** Whether sequence number a comes after b, modulo 2**32 (RFC 1982 serial arithmetic). */
export function isNewer(a, b) {
  const distance = (a - b + UINT32_LIMIT) % UINT32_LIMIT;
  return distance > 0 && distance < HALF_RANGE;
}

/** Accept datagrams of the newest frame seen or newer; a new stream id (sender restart) resets. */
export class LatestFrameFilter {
  constructor() {
    this.stream = null;
    this.newest = 0;
  }

  accept(frame) {
    if (frame.stream !== this.stream || isNewer(frame.sequence, this.newest)) {
      this.stream = frame.stream;
      this.newest = frame.sequence;
      return true;
    }
    return frame.sequence === this.newest;
  }
}

/** What FrameParts.judge did with a datagram, with the words a receiver reports once. */
export const Verdict = Object.freeze({
  accepted: "accepted",
  stale: "a datagram of an older frame than the newest one was dropped",
  duplicate: "a part that arrived already was dropped (duplicates add no people)",
  inconsistent: "a part that disagrees with its frame's header or part count was dropped",
  tooManyPeople: `a part was dropped: its frame would hold more than ${MAX_PEOPLE_PER_FRAME} people`,
  tooManyBytes: `a part was dropped: its frame's datagrams would take more than ${MAX_FRAME_BYTES} bytes`,
});

const HEADER_FIELDS = ["parts", "stampSec", "stampNanosec", "frameId"];

/**
 * The newest frame's parts seen so far: older frames are dropped, a part index seen already is
 * a duplicate, and one frame holds at most MAX_PEOPLE_PER_FRAME people in MAX_FRAME_BYTES.
 */
export class FrameParts {
  constructor() {
    this.filter = new LatestFrameFilter();
    this.frame = null; // first part of the frame being joined
    this.seen = new Set();
    this.people = 0;
    this.bytes = 0;
  }

  /** Take a decoded datagram of byteLength bytes; returns a Verdict value. */
  judge(frame, byteLength) {
    if (!this.filter.accept(frame)) return Verdict.stale;
    const first = this.frame;
    if (first === null || first.stream !== frame.stream || first.sequence !== frame.sequence) {
      this.frame = frame;
      this.seen = new Set();
      this.people = 0;
      this.bytes = 0;
    } else if (HEADER_FIELDS.some((name) => first[name] !== frame[name])) {
      return Verdict.inconsistent;
    }
    if (this.seen.has(frame.part)) return Verdict.duplicate;
    if (this.people + frame.people.length > MAX_PEOPLE_PER_FRAME) return Verdict.tooManyPeople;
    if (this.bytes + byteLength > MAX_FRAME_BYTES) return Verdict.tooManyBytes;
    this.seen.add(frame.part);
    this.people += frame.people.length;
    this.bytes += byteLength;
    return Verdict.accepted;
  }
}
