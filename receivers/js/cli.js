#!/usr/bin/env node
// Print received pose datagrams as JSON lines (the same keys as the wire format):
//   node cli.js --port 4900 [--address 127.0.0.1] [--sender HOST[:PORT]]
//               [--multicast-group G --multicast-interface IP]
//   node cli.js --stdin-hex      decode one hex-encoded datagram per stdin line, no socket
//   node cli.js --bench N        decode all stdin hex datagrams (one frame) N times, print
//                                {"median_us": ..., "p95_us": ...} per frame
// A malformed datagram prints {"error": "..."}.
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";

import { PoseReceiver, WireFormatError, decodeDatagram } from "./pose-receiver.js";

function toJson(frame) {
  return JSON.stringify({
    seq: frame.sequence,
    stream: frame.stream,
    part: frame.part,
    parts: frame.parts,
    stamp_sec: frame.stampSec,
    stamp_nanosec: frame.stampNanosec,
    frame_id: frame.frameId,
    width: frame.width,
    height: frame.height,
    model: frame.model,
    layout: frame.layout,
    num_keypoints: frame.numKeypoints,
    people: frame.people.map((p) => ({
      id: p.id,
      score: p.score,
      box: Array.from(p.box),
      keypoints: Array.from(p.keypoints),
    })),
  });
}

async function decodeStdin() {
  for await (const line of createInterface({ input: process.stdin })) {
    try {
      console.log(toJson(decodeDatagram(Buffer.from(line.trim(), "hex"))));
    } catch (error) {
      if (!(error instanceof WireFormatError)) throw error;
      console.log(JSON.stringify({ error: error.message }));
    }
  }
}

async function readHexLines() {
  const datagrams = [];
  for await (const line of createInterface({ input: process.stdin })) {
    datagrams.push(Buffer.from(line.trim(), "hex"));
  }
  return datagrams;
}

async function bench(repeats) {
  const datagrams = await readHexLines();
  const durations = [];
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    datagrams.forEach(decodeDatagram);
    durations.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  durations.sort((a, b) => a - b);
  const at = (q) => durations[Math.min(durations.length - 1, Math.floor(q * durations.length))];
  console.log(JSON.stringify({ median_us: at(0.5), p95_us: at(0.95) }));
}

async function listen(values) {
  const receiver = new PoseReceiver({
    port: Number(values.port),
    address: values.address,
    multicastGroup: values["multicast-group"],
    multicastInterface: values["multicast-interface"],
    sender: values.sender,
  });
  receiver.on("frame", (frame) => console.log(toJson(frame)));
  receiver.on("malformed", (error) => console.log(JSON.stringify({ error: error.message })));
  receiver.on("warning", (words) => console.error(`warning: ${words}`));
  let port;
  try {
    port = await receiver.start();
  } catch (error) {
    console.error(`pose-receiver: ${error.message}`);
    process.exit(2);
  }
  console.error(`listening on ${receiver.options.address}:${port}`);
}

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4900" },
    address: { type: "string" },
    sender: { type: "string", default: "" },
    "multicast-group": { type: "string", default: "" },
    "multicast-interface": { type: "string" },
    "stdin-hex": { type: "boolean", default: false },
    bench: { type: "string" },
  },
});
if (values.bench) await bench(Number(values.bench));
else await (values["stdin-hex"] ? decodeStdin() : listen(values));
