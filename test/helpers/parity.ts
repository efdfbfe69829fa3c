import { expect } from "vitest";
import { setBackend, tensor, type DType, type Tensor } from "../../lib/index.js";
import { webgpuBackend } from "../../lib/backend/registry.js";
import { expectClose } from "./assert.js";

/** Values made on the host, so both backends start from identical inputs. */
export interface HostInput {
  values: ArrayLike<number>;
  shape: readonly number[];
  dtype?: DType;
}

/** Deterministic pseudo-random floats in [-scale, scale): a linear congruential generator. */
export function hostRandom(shape: readonly number[], seed: number, scale = 1): HostInput {
  const n = shape.reduce((p, d) => p * d, 1);
  const values = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    values[i] = (s / 4294967296 - 0.5) * 2 * scale;
  }
  return { values, shape };
}

export function hostInts(shape: readonly number[], seed: number, high: number): HostInput {
  const r = hostRandom(shape, seed, 0.5);
  return { values: Int32Array.from(r.values, (v) => Math.floor((v + 0.5) * high)), shape, dtype: "int32" };
}

function make(x: HostInput): Tensor {
  return tensor(Array.from(x.values), { dtype: x.dtype ?? "float32" }).reshape([...x.shape]);
}

/**
 * Builds the same computation on the CPU and on WebGPU and checks the results agree within
 * float32 tolerance, with the same shape and dtype. On WebGPU every op runs as a GPU kernel,
 * even on small tensors, which by default would run on the host (WebGpuBackend.hostOps).
 */
export async function expectParity(build: (...xs: Tensor[]) => Tensor, inputs: readonly HostInput[], tol = 1e-5): Promise<void> {
  const run = async (name: "cpu" | "webgpu") => {
    await setBackend(name);
    const gpu = webgpuBackend();
    const hostOps = gpu?.hostOps;
    if (name === "webgpu") gpu!.hostOps = false;
    try {
      const out = build(...inputs.map(make));
      expect(out.device).toBe(name);
      return { dtype: out.dtype, shape: out.shape, values: await out.array() };
    } finally {
      if (gpu) gpu.hostOps = hostOps!;
    }
  };
  const cpu = await run("cpu");
  const gpu = await run("webgpu");
  expect(gpu.shape).toEqual(cpu.shape);
  expect(gpu.dtype).toBe(cpu.dtype);
  expectClose(gpu.values, cpu.values, tol);
}
