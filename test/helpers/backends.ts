import { afterAll, beforeAll } from "vitest";
import { setBackend, type BackendName, type DType } from "../../lib/index.js";
import { webgpuBackend } from "../../lib/backend/registry.js";

/**
 * Every op and autograd suite runs once per backend: `describe.each(backends)(..., (name) => {
 * onBackend(name); ... })`. WebGPU is never skipped: without an adapter its suite fails.
 * On WebGPU the suites run every op as a GPU kernel: by default small tensors would stay on the
 * host and run on the CPU code (see WebGpuBackend.hostOps, tested in webgpu-host.test.ts).
 */
export const backends: readonly BackendName[] = ["cpu", "webgpu"];

export function onBackend(name: BackendName): void {
  beforeAll(async () => {
    // Dawn's OpenGL ES backend needs a headless EGL platform on machines without a display.
    if (name === "webgpu") process.env["EGL_PLATFORM"] ??= "surfaceless";
    await setBackend(name);
    if (name === "webgpu") webgpuBackend()!.hostOps = false;
  });
  afterAll(async () => {
    if (name === "webgpu") webgpuBackend()!.hostOps = true;
    await setBackend("cpu");
  });
}

/** The most precise float a backend has: float64 on the CPU, float32 on WebGPU (which has no f64). */
export function wideFloat(name: BackendName): DType {
  return name === "cpu" ? "float64" : "float32";
}

/** A tolerance written for float64 on the CPU, loosened to float32 precision elsewhere. */
export function tolFor(name: BackendName, cpuTol: number, gpuTol = 1e-5): number {
  return name === "cpu" ? cpuTol : Math.max(cpuTol, gpuTol);
}

/** Expected values as a dtype stores them (float32 rounds, and overflows to Infinity). */
export function stored(dtype: DType, values: number[]): number[] {
  return dtype === "float32" ? values.map(Math.fround) : values;
}
