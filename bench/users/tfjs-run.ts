import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { coresSince, cpuSeconds, rssMB, type RunResult } from "./result.js";

/**
 * TF.js Wasm's side of the relu workload, written as its documentation asks (the previous result
 * disposed before the next is made), in a process of its own: `node tfjs-run.js relu [steps]`.
 */
async function relu(steps: number): Promise<RunResult> {
  await tf.setBackend("wasm");
  await tf.ready();
  const x = tf.randomNormal([1_000_000]);
  let y = tf.relu(x);
  for (let i = 0; i < 100; i++) {
    y.dispose();
    y = tf.relu(x);
  }
  const rss100 = rssMB();
  let peak = 0;
  const t0 = performance.now();
  const cpu0 = cpuSeconds();
  for (let i = 0; i < steps; i++) {
    y.dispose();
    y = tf.relu(x);
    if (i % 100 === 0) peak = Math.max(peak, rssMB());
  }
  y.dataSync();
  const seconds = (performance.now() - t0) / 1000;
  return { value: (8e6 * steps) / seconds / 1e9, unit: "GB/s", rss100, rssPeak: Math.max(peak, rssMB()), cores: coresSince(cpu0, seconds) };
}

const [name, steps] = process.argv.slice(2);
if (name !== "relu") {
  console.error("usage: tfjs-run.js relu [steps]");
  process.exit(2);
}
console.log(JSON.stringify(await relu(Number(steps ?? 2000))));
process.exit(0);
