// Receive pose_estimation_ros wire format v1 datagrams over UDP in Node.js.
//
//   import { PoseReceiver } from "pose-estimation-ros-receiver";
//   const receiver = new PoseReceiver({ port: 4900 });           // listens on 127.0.0.1 only
//   // another host's bridge: { port: 4900, address: "0.0.0.0", sender: "192.168.1.20" }
//   receiver.on("frame", (frame) => { /* frame.people[i].keypoints: Float32Array */ });
//   await receiver.start();                                     // rejects: port in use
//
// Only datagrams of the newest frame (or newer) are emitted; older ones are dropped
// ("stale"), malformed ones reported ("malformed"), never thrown. A unicast port is never
// shared; datagrams from another sender than the configured one, duplicate parts and parts
// beyond the bounds (docs/wire-format.md) are dropped, counted in `dropped` and reported once
// per cause ("warning").
import dgram from "node:dgram";
import { lookup } from "node:dns/promises";
import { EventEmitter } from "node:events";

import { FrameParts, Verdict, WireFormatError, decodeDatagram } from "./wire.js";

export {
  FrameParts,
  LatestFrameFilter,
  Verdict,
  WireFormatError,
  decodeDatagram,
  isNewer,
} from "./wire.js";

/** "HOST[:PORT]" to {address, port} (port 0: any); resolves HOST to IPv4. */
async function resolveSender(sender) {
  const [host, port = "0"] = sender.split(":");
  const { address } = await lookup(host, { family: 4 });
  if (!/^\d+$/.test(port) || Number(port) > 65535) throw new Error(`sender ${sender}: bad port`);
  return { address, port: Number(port) };
}

function bindError(error, port, address) {
  if (error.code !== "EADDRINUSE") return error;
  const message = `UDP port ${port} is in use on ${address} (another program, maybe another ` +
    "receiver, holds it); stop that program or use another port (and the bridge's port parameter)";
  return Object.assign(new Error(message), { code: error.code });
}

export class PoseReceiver extends EventEmitter {
  /**
   * @param {object} options port (4900), address to bind (127.0.0.1; 0.0.0.0 with a multicast
   *   group; "0.0.0.0" or an interface's address takes datagrams from other hosts),
   *   multicastGroup to join ("" for none), multicastInterface (IPv4 address, optional),
   *   sender ("HOST[:PORT]": accept datagrams from this sender only; "" for any).
   */
  constructor({ port = 4900, address, multicastGroup = "", multicastInterface, sender = "" } = {}) {
    super();
    address ??= multicastGroup ? "0.0.0.0" : "127.0.0.1";
    this.options = { port, address, multicastGroup, multicastInterface, sender };
    this.parts = new FrameParts();
    this.sender = null; // {address, port} once resolved
    this.dropped = {}; // datagrams dropped, by cause
    this.latest = null; // newest accepted datagram, for a render loop that polls
    this.socket = null;
  }

  /** Bind the socket; resolves with the bound port once listening, rejects when it is taken. */
  async start() {
    const { port, address, multicastGroup, multicastInterface, sender } = this.options;
    if (sender) this.sender = await resolveSender(sender);
    // Several receivers of one multicast group on a host need address reuse; a unicast port
    // is never shared, so another program cannot take the poses.
    this.socket = dgram.createSocket({ type: "udp4", reuseAddr: Boolean(multicastGroup) });
    this.socket.on("message", (bytes, remote) => this.handle(bytes, remote));
    return new Promise((resolve, reject) => {
      const failed = (error) => reject(bindError(error, port, address));
      this.socket.once("error", failed);
      this.socket.bind(port, address, () => {
        if (multicastGroup) this.socket.addMembership(multicastGroup, multicastInterface);
        this.socket.off("error", failed);
        this.socket.on("error", (error) => this.emit("socketError", error));
        resolve(this.socket.address().port);
      });
    });
  }

  /** Count a dropped datagram; emit "warning" with words the first time of each cause. */
  drop(cause, words) {
    this.dropped[cause] = (this.dropped[cause] ?? 0) + 1;
    if (this.dropped[cause] === 1) this.emit("warning", `${words} (reported once, counted)`);
  }

  fromSender(remote) {
    const { sender } = this;
    return !sender || (remote.address === sender.address &&
      (sender.port === 0 || remote.port === sender.port));
  }

  handle(bytes, remote) {
    if (!this.fromSender(remote)) {
      this.drop("from another sender", `dropped a datagram from ${remote.address}:${remote.port}, ` +
        `not the sender ${this.options.sender}`);
      return;
    }
    let frame;
    try {
      frame = decodeDatagram(bytes);
    } catch (error) {
      if (!(error instanceof WireFormatError)) throw error;
      this.emit("malformed", error, remote);
      return;
    }
    const verdict = this.parts.judge(frame, bytes.length);
    if (verdict === Verdict.stale) {
      this.emit("stale", frame);
      return;
    }
    if (verdict !== Verdict.accepted) {
      this.drop(verdict, verdict);
      return;
    }
    this.latest = frame;
    this.emit("frame", frame);
  }

  close() {
    if (this.socket) this.socket.close();
    this.socket = null;
  }
}
