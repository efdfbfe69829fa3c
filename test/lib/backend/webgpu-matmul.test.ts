import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setBackend, type Tensor } from "../../../lib/index.js";
import { webgpuBackend } from "../../../lib/backend/registry.js";
import { acquireGpu, isSoftwareAdapter } from "../../../lib/backend/webgpu/device.js";
import { registerPlan, type Operand } from "../../../lib/backend/webgpu/wgsl/matmul.js";
import { expectParity, hostRandom, type HostInput } from "../../helpers/parity.js";

// Both matmul kernels run here whatever the adapter: the tiled one is what GPUs get, the
// register-blocked one what software adapters (llvmpipe in CI) get.
let chosen: "tiled" | "register";
beforeAll(async () => {
  process.env["EGL_PLATFORM"] ??= "surfaceless";
  await setBackend("webgpu");
  // What the backend chose for this adapter, before the tests below switch kernels.
  chosen = webgpuBackend()!.matmulKernel;
});
afterAll(async () => {
  webgpuBackend()!.matmulKernel = chosen;
  await setBackend("cpu");
});

type Case = [string, (a: Tensor, b: Tensor) => Tensor, HostInput, HostInput];
const CASES: Case[] = [
  ["aligned rows (vec4 reads of both), several tiles", (a, b) => a.matmul(b), hostRandom([260, 72], 1), hostRandom([72, 136], 2)],
  ["K not a multiple of 4 (scalar A, remainder loop)", (a, b) => a.matmul(b), hostRandom([130, 70], 3), hostRandom([70, 152], 4)],
  ["N not a multiple of 4 (scalar B, edge columns)", (a, b) => a.matmul(b), hostRandom([64, 64], 5), hostRandom([64, 150], 6)],
  ["both transposed", (a, b) => a.T.matmul(b.T), hostRandom([65, 129], 7), hostRandom([3, 65], 8)],
  ["A transposed, B aligned (a weight gradient)", (a, b) => a.T.matmul(b), hostRandom([64, 200], 9), hostRandom([64, 128], 10)],
  ["batched with broadcasting", (a, b) => a.matmul(b), hostRandom([2, 3, 17, 8], 11), hostRandom([3, 8, 12], 12)],
  ["strided columns of B", (a, b) => a.matmul(b.slice(null, [0, 40, 3])), hostRandom([33, 64], 13), hostRandom([64, 40], 14)],
  ["views at an offset: aligned (4) and not (1)", (a, b) => a.slice([4, 36]).matmul(b.slice([1, 61])), hostRandom([40, 60], 15), hostRandom([64, 20], 16)],
  ["a handful of rows, a single column", (a, b) => a.matmul(b), hostRandom([3, 16], 17), hostRandom([16, 1], 18)],
  ["empty K", (a, b) => a.matmul(b), hostRandom([4, 0], 19), hostRandom([0, 3], 20)],
];

describe.each(["tiled", "register"] as const)("WebGPU matmul, %s kernel, agrees with the CPU", (kernel) => {
  it.each(CASES)("%s", async (_name, f, a, b) => {
    await setBackend("webgpu");
    webgpuBackend()!.matmulKernel = kernel;
    await expectParity(f, [a, b], 1e-4);
  });
});

describe("register kernel plan", () => {
  const op = (o: Partial<Operand> = {}): Operand => ({ offset: 0, rowStride: 64, colStride: 1, batchStrides: [], bindingBytes: 4096, ...o });

  it("reads rows as vec4 only when they are contiguous and 16-byte aligned", () => {
    expect(registerPlan(op(), op(), 64, 64, 64)).toMatchObject({ vecA: true, vecB: true });
    expect(registerPlan(op({ colStride: 64, rowStride: 1 }), op(), 64, 64, 64)).toMatchObject({ vecA: false, vecB: true });
    expect(registerPlan(op({ offset: 2 }), op({ rowStride: 66 }), 64, 64, 64)).toMatchObject({ vecA: false, vecB: false });
    expect(registerPlan(op(), op({ batchStrides: [6] }), 64, 64, 64)).toMatchObject({ vecA: true, vecB: false });
    expect(registerPlan(op(), op(), 64, 62, 63)).toMatchObject({ vecA: false, vecB: false });
    expect(registerPlan(op({ bindingBytes: 4100 }), op(), 64, 64, 64)).toMatchObject({ vecA: false });
  });

  it("gives short matrices fewer rows per thread", () => {
    expect(registerPlan(op(), op(), 1024, 64, 64).rows).toBe(32);
    expect(registerPlan(op(), op(), 64, 64, 64).rows).toBe(8);
    expect(registerPlan(op(), op(), 3, 64, 64).rows).toBe(2);
  });
});

describe("software adapter detection", () => {
  const adapter = (info: Partial<GPUAdapterInfo>) => ({ info }) as unknown as GPUAdapter;
  it("knows llvmpipe, SwiftShader, WARP and fallback adapters from real GPUs", () => {
    expect(isSoftwareAdapter(adapter({ device: "llvmpipe-llvm-15-0-6-256-bits-", description: "OpenGL version OpenGL ES 3.2 Mesa 22.3.6" }))).toBe(true);
    expect(isSoftwareAdapter(adapter({ vendor: "google", architecture: "swiftshader" }))).toBe(true);
    expect(isSoftwareAdapter(adapter({ description: "Microsoft Basic Render Driver" }))).toBe(true);
    expect(isSoftwareAdapter(adapter({ isFallbackAdapter: true }))).toBe(true);
    expect(isSoftwareAdapter(adapter({ vendor: "nvidia", architecture: "ampere", description: "NVIDIA GeForce RTX 3060" }))).toBe(false);
    expect(isSoftwareAdapter(adapter({ vendor: "intel", architecture: "gen-12lp", device: "", description: "Intel(R) Xe Graphics" }))).toBe(false);
    expect(isSoftwareAdapter({} as GPUAdapter)).toBe(false);
  });

  it("gives this machine's adapter the kernel of its kind; without a GPU driver that is the register kernel", async () => {
    // A second device from the same kind of adapter, to read its kind independently.
    const got = await acquireGpu();
    expect(got.ok).toBe(true);
    if (!got.ok) return;
    // Without a GPU driver (no /dev/dri, as on CI), the only adapter is Mesa's llvmpipe.
    if (!existsSync("/dev/dri")) expect(got.gpu.software).toBe(true);
    expect(chosen).toBe(got.gpu.software ? "register" : "tiled");
    got.gpu.device.destroy();
  });
});
