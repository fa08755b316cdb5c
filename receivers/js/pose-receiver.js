// Receive pose_estimation_ros wire format v1 datagrams over UDP in Node.js.
//
//   import { PoseReceiver } from "pose-estimation-ros-receiver";
//   const receiver = new PoseReceiver({ port: 4900 });
//   receiver.on("frame", (frame) => { /* frame.people[i].keypoints: Float32Array */ });
//   await receiver.start();
//
// Only datagrams of the newest frame (or newer) are emitted; older ones are dropped
// ("stale"), malformed ones reported ("malformed"), never thrown.
import dgram from "node:dgram";
import { EventEmitter } from "node:events";

import { LatestFrameFilter, WireFormatError, decodeDatagram } from "./wire.js";

export { LatestFrameFilter, WireFormatError, decodeDatagram, isNewer } from "./wire.js";

export class PoseReceiver extends EventEmitter {
  /**
   * @param {object} options port (4900), address to bind ("0.0.0.0"),
   *   multicastGroup to join ("" for none), multicastInterface (IPv4 address, optional).
   */
  constructor({ port = 4900, address = "0.0.0.0", multicastGroup = "", multicastInterface } = {}) {
    super();
    this.options = { port, address, multicastGroup, multicastInterface };
    this.filter = new LatestFrameFilter();
    this.latest = null; // newest accepted datagram, for a render loop that polls
    this.socket = null;
  }

  /** Bind the socket; resolves with the bound port once listening. */
  start() {
    const { port, address, multicastGroup, multicastInterface } = this.options;
    this.socket = dgram.createSocket({ type: "udp4", reuseAddr: true });
    this.socket.on("message", (bytes, remote) => this.handle(bytes, remote));
    return new Promise((resolve, reject) => {
      this.socket.once("error", reject);
      this.socket.bind(port, address, () => {
        if (multicastGroup) this.socket.addMembership(multicastGroup, multicastInterface);
        this.socket.off("error", reject);
        this.socket.on("error", (error) => this.emit("socketError", error));
        resolve(this.socket.address().port);
      });
    });
  }

  handle(bytes, remote) {
    let frame;
    try {
      frame = decodeDatagram(bytes);
    } catch (error) {
      if (!(error instanceof WireFormatError)) throw error;
      this.emit("malformed", error, remote);
      return;
    }
    if (!this.filter.accept(frame)) {
      this.emit("stale", frame);
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
