import { randn, setBackend } from "../lib/index.js";
import { webgpuBackend } from "../lib/backend/registry.js";
import { makeMlpStep, type Result } from "./workloads.js";

/**
 * gradlab-only WebGPU benchmarks, on whatever adapter `setBackend("webgpu")` finds (on a machine
 * without a GPU: Dawn's OpenGL ES backend on Mesa's llvmpipe, with EGL_PLATFORM=surfaceless).
 * Matmul and per-op dispatch are measured side by side with TF.js and jax-js in webgpu-compare.ts.
 */

async function median(fn: () => Promise<void>, samples: number): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/**
 * A chain of 8 elementwise ops on 1e5 floats (the shape of an activation's gradient), fused into
 * one kernel and unfused (one kernel per op), waiting for the result each time.
 */
export async function gpuFusion(): Promise<Result[]> {
  const be = webgpuBackend()!;
  const x = randn([100_000]);
  const chain = () => x.mul(2).add(1).tanh().square().neg().add(1).mul(x).sigmoid();
  const time = async (fusion: boolean) => {
    be.fusion = fusion;
    try {
      return await median(async () => {
        await chain().slice([0, 1]).data();
      }, 9);
    } finally {
      be.fusion = true;
    }
  };
  const unfused = await time(false);
  const fused = await time(true);
  return [
    { name: `webgpu 8-op elementwise chain, fused (${(unfused / fused).toFixed(2)}× unfused)`, value: fused * 1000, unit: "µs" },
    { name: "webgpu 8-op elementwise chain, unfused", value: unfused * 1000, unit: "µs" },
  ];
}

/** One SGD step of the 784-128-10 MLP of bench/workloads.ts, on the GPU, waiting for the loss. */
export async function gpuMlpStep(): Promise<Result> {
  const step = makeMlpStep();
  const first = (await step().item()) as number;
  for (let i = 0; i < 5; i++) step();
  const later = (await step().item()) as number;
  if (!(later < first)) throw new Error(`webgpu MLP step: loss did not fall (${first} → ${later})`);
  const ms = await median(async () => {
    for (let i = 0; i < 9; i++) step();
    await step().item();
  }, 5) / 10;
  return { name: "webgpu MLP 784-128-10 SGD step, batch 64", value: 1000 / ms, unit: "steps/s" };
}

/** All WebGPU benchmarks; an empty list (and a note) when this machine has no adapter. */
export async function runWebGpuBench(log: (line: string) => void = console.log): Promise<Result[]> {
  try {
    await setBackend("webgpu");
  } catch (e) {
    log(`webgpu: skipped (${e instanceof Error ? e.message : String(e)})`);
    return [];
  }
  log(`webgpu adapter: ${webgpuBackend()!.description}`);
  try {
    return [
      ...(await gpuFusion()), await gpuMlpStep(),
    ];
  } finally {
    await setBackend("cpu");
  }
}
