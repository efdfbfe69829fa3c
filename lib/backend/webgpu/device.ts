/// <reference types="@webgpu/types" />

/** A WebGPU device ready for compute, and a one-line description of where it came from. */
export interface GpuHandle {
  device: GPUDevice;
  description: string;
  /**
   * The GPU object the adapter came from. In Node it owns Dawn's instance: if it were garbage
   * collected while the device lives, Dawn would crash the process, so the backend holds it.
   */
  instance: GPU;
  /** The adapter is a CPU rasterizer, not a GPU: kernels are chosen for CPU caches and threads. */
  software: boolean;
}

export type Acquired = { ok: true; gpu: GpuHandle } | { ok: false; reason: string };

// What gradlab's kernels need beyond WebGPU's defaults; compatibility-mode defaults are lower
// (4 storage buffers, 128 invocations), so each is raised to what the adapter offers.
const WANTED_LIMITS = [
  "maxStorageBuffersPerShaderStage",
  "maxDynamicStorageBuffersPerPipelineLayout",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupSizeY",
  "maxStorageBufferBindingSize",
  "maxBufferSize",
] as const;

function describeAdapter(adapter: GPUAdapter, how: string): string {
  const info = adapter.info;
  // The device names the rasterizer (Dawn on Mesa: "llvmpipe (LLVM 15.0.6, 256 bits)"), which
  // the description leaves out.
  const parts = [...new Set([info?.vendor, info?.architecture, info?.description, info?.device])].filter((s) => typeof s === "string" && s.length > 0);
  return `${parts.join(" ") || "unnamed adapter"} (${how})`;
}

/**
 * Which adapters a request takes: `auto` (GRADLAB_BACKEND's default) only hardware ones, since a
 * software rasterizer runs the same kernels several times slower than the CPU backend (lesson 08:
 * 61 s against 10 s); `any` also software ones (asked for by name: GRADLAB_BACKEND=webgpu or
 * setBackend("webgpu")).
 */
export type AdapterPolicy = "auto" | "any";

/** Why `auto` turns an adapter down, or null when it takes it. */
export function autoRefuses(adapter: GPUAdapter): string | null {
  if (!isSoftwareAdapter(adapter)) return null;
  return `the only WebGPU adapter is a software rasterizer (${describeAdapter(adapter, "no GPU")}), slower than the CPU backend; GRADLAB_BACKEND=webgpu or setBackend("webgpu") uses it anyway`;
}

async function openDevice(instance: GPU, adapter: GPUAdapter, how: string): Promise<GpuHandle> {
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) {
    const v = (adapter.limits as unknown as Record<string, number | undefined>)[name];
    if (typeof v === "number") requiredLimits[name] = v;
  }
  const device = await adapter.requestDevice({ requiredLimits });
  return { device, description: describeAdapter(adapter, how), instance, software: isSoftwareAdapter(adapter) };
}

/**
 * Mesa's llvmpipe and lavapipe, Google's SwiftShader and Microsoft's WARP run shaders on CPU
 * threads. Dawn names llvmpipe in `device` ("llvmpipe-llvm-15-…"), not in the description.
 */
const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|softpipe|swiftshader|basic render driver|\bwarp\b/i;

export function isSoftwareAdapter(adapter: GPUAdapter): boolean {
  // Older browsers' adapters lack `info` or some of its fields.
  const info = adapter.info as Partial<GPUAdapterInfo> | undefined;
  if (info?.isFallbackAdapter === true) return true;
  return [info?.vendor, info?.architecture, info?.device, info?.description].some((s) => typeof s === "string" && SOFTWARE_ADAPTER.test(s));
}

/** A device on the adapter `gpu` offers, null without one, or the reason `policy` turned it down. */
async function tryGpu(gpu: GPU, how: string, options: GPURequestAdapterOptions, policy: AdapterPolicy): Promise<GpuHandle | string | null> {
  const adapter = await gpu.requestAdapter(options);
  if (!adapter) return null;
  const refused = policy === "auto" ? autoRefuses(adapter) : null;
  // Turned down before a device exists, so a CPU-backed kernel holds no GPU device.
  return refused ?? openDevice(gpu, adapter, how);
}

interface DawnModule {
  create(flags: string[]): GPU;
}

function isNode(): boolean {
  return typeof process !== "undefined" && typeof process.versions?.node === "string";
}

/**
 * Node: the `webgpu` package (Dawn), first with its default backend (Vulkan/Metal/D3D12 on a real
 * GPU), then OpenGL ES in compatibility mode, which is what a software rasterizer such as Mesa's
 * llvmpipe offers. Browser: `navigator.gpu`, also retried in compatibility mode.
 * Never throws: a machine without a GPU gets the reason instead.
 */
export function acquireGpu(policy: AdapterPolicy = "any"): Promise<Acquired> {
  const mine = prefetched?.policy === policy ? prefetched.answer : null;
  if (mine) prefetched = null;
  return mine ?? requestGpu(policy);
}

let prefetched: { policy: AdapterPolicy; answer: Promise<Acquired> } | null = null;

/** GRADLAB_BACKEND, lower-cased ("auto" when unset or empty). */
export function backendAsked(): string {
  const env = typeof process !== "undefined" ? process.env?.["GRADLAB_BACKEND"] : undefined;
  return (env ?? "").trim().toLowerCase() || "auto";
}

/** Whether GRADLAB_BACKEND lets the backend be WebGPU (auto or webgpu). */
export function webgpuAsked(): boolean {
  const asked = backendAsked();
  return asked === "auto" || asked === "webgpu";
}

/**
 * Starts asking for an adapter before the library needs one, when GRADLAB_BACKEND lets the
 * backend be WebGPU; the next `acquireGpu()` takes that answer. The kernel calls it first thing,
 * so that the adapter starts while the library and TypeScript load (this module is small and
 * loads nothing until called).
 */
export function prefetchGpu(): Promise<Acquired> | null {
  if (!webgpuAsked()) return null;
  const policy: AdapterPolicy = backendAsked() === "auto" ? "auto" : "any";
  prefetched ??= { policy, answer: requestGpu(policy) };
  return prefetched.answer;
}

/** The first device offered, else the reason: the last refusal of the policy, or `none`. */
async function firstOf(tries: (() => Promise<GpuHandle | string | null>)[], none: string): Promise<Acquired> {
  let refused: string | null = null;
  for (const attempt of tries) {
    const got = await attempt();
    if (got && typeof got !== "string") return { ok: true, gpu: got };
    if (typeof got === "string") refused = got;
  }
  return { ok: false, reason: refused ?? none };
}

async function requestGpu(policy: AdapterPolicy): Promise<Acquired> {
  try {
    const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
    if (nav?.gpu) {
      const gpu = nav.gpu;
      return await firstOf([
        () => tryGpu(gpu, "navigator.gpu", {}, policy),
        () => tryGpu(gpu, "navigator.gpu, compatibility mode", { featureLevel: "compatibility" }, policy),
      ], "navigator.gpu offers no adapter");
    }
    if (!isNode()) return { ok: false, reason: "this JavaScript runtime has no WebGPU (no navigator.gpu)" };
    const device = await mayHaveGpu();
    // Without a GPU device node, OpenGL ES can only be Mesa's software rasterizer: `auto` does
    // not even load Dawn then (tens of megabytes a kernel need not hold).
    if (policy === "auto" && !device) return { ok: false, reason: "no GPU device here (no /dev/dri or /dev/nvidia*); GRADLAB_BACKEND=webgpu would use a software rasterizer, slower than the CPU backend" };
    let dawn: DawnModule;
    try {
      dawn = (await import("webgpu")) as unknown as DawnModule;
    } catch (e) {
      return { ok: false, reason: `the npm package "webgpu" could not be loaded (${firstLine(e)})` };
    }
    const tries: (() => Promise<GpuHandle | string | null>)[] = [];
    if (device) tries.push(() => tryGpu(dawn.create([]), "Dawn", { powerPreference: "high-performance" }, policy));
    tries.push(() => {
      // Without a display, EGL needs to be told to run headless; a value the user set wins.
      if (!process.env["EGL_PLATFORM"]) process.env["EGL_PLATFORM"] = "surfaceless";
      return tryGpu(dawn.create(["backend=opengles"]), "Dawn OpenGL ES, compatibility mode", { featureLevel: "compatibility" }, policy);
    });
    return await firstOf(tries, "Dawn found no WebGPU adapter (neither its native backend nor OpenGL ES)");
  } catch (e) {
    return { ok: false, reason: `asking for a WebGPU adapter failed: ${firstLine(e)}` };
  }
}

/**
 * On Linux a GPU driver shows up as /dev/dri (Mesa, AMD, Intel) or /dev/nvidia*; without one,
 * Dawn's Vulkan attempt can only fail, noisily on stderr, so it is skipped.
 */
async function mayHaveGpu(): Promise<boolean> {
  if (process.platform !== "linux") return true;
  try {
    const { existsSync } = await import("node:fs");
    return existsSync("/dev/dri") || existsSync("/dev/nvidiactl") || existsSync("/dev/nvidia0");
  } catch {
    return true;
  }
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n")[0]!.trim();
}
