import type { Backend, BackendName } from "./backend.js";
import { CpuBackend } from "./cpu/cpu-backend.js";
import { acquireGpu, backendAsked as asked, webgpuAsked, type AdapterPolicy } from "./webgpu/device.js";
import { WebGpuBackend } from "./webgpu/webgpu-backend.js";
import { GradlabError } from "../tensor/errors.js";

/**
 * Which backend new tensors go to. Importing gradlab never touches the GPU: the CPU is the
 * backend until `initBackend()` resolves GRADLAB_BACKEND (the kernel calls it at start) or
 * `setBackend()` is called. Asking for an adapter loads a native library and can take a few
 * hundred milliseconds, so it happens only when wanted.
 */
const cpu = new CpuBackend();
let current: Backend = cpu;
let webgpu: WebGpuBackend | null = null;
let webgpuPending: { policy: AdapterPolicy; answer: Promise<WebGpuBackend | string> } | null = null;
let reason = startReason();
let initDone: Promise<{ name: BackendName; reason: string }> | null = null;

function startReason(): string {
  const a = asked();
  if (a === "cpu") return "GRADLAB_BACKEND=cpu";
  if (webgpuAsked()) return `GRADLAB_BACKEND=${a}: the CPU until initBackend() looks for a WebGPU adapter`;
  return `GRADLAB_BACKEND=${a} is not one of auto|webgpu|cpu; using the CPU`;
}

/** The CPU backend, whatever the current one is (small host-side computations such as plot paths). */
export function cpuBackend(): Backend {
  return cpu;
}

/**
 * Runs `fn` with the CPU as the backend new tensors are created on, then restores the current
 * one (gradcheck evaluates a function on CPU copies of its inputs, in float64).
 */
export function onCpu<T>(fn: () => T): T {
  const saved = current;
  current = cpu;
  try {
    return fn();
  } finally {
    current = saved;
  }
}

/** The backend new tensors are created on. */
export function currentBackend(): Backend {
  return current;
}

export function getBackend(): BackendName {
  return current.name;
}

/** Which backend is in use and why it was chosen (shown in the kernel's banner). */
export function backendInfo(): { name: BackendName; reason: string } {
  return { name: current.name, reason };
}

/**
 * The WebGPU backend, creating its device on first use; a string says why there is none.
 * `auto` takes only a hardware adapter (see AdapterPolicy); a later request by name may still
 * take a software one.
 */
async function loadWebGpu(policy: AdapterPolicy = "any"): Promise<WebGpuBackend | string> {
  if (webgpu && webgpu.usable) return webgpu;
  const pending = webgpuPending?.policy === policy ? webgpuPending.answer : null;
  if (pending) return pending;
  const answer = acquireGpu(policy).then((got) => {
    if (webgpuPending?.answer === answer) webgpuPending = null;
    if (!got.ok) return got.reason;
    webgpu = new WebGpuBackend(got.gpu);
    return webgpu;
  });
  webgpuPending = { policy, answer };
  return answer;
}

/**
 * Resolves GRADLAB_BACKEND once: `auto` (the default) and `webgpu` use WebGPU when an adapter
 * exists and otherwise stay on the CPU, with the reason in `backendInfo()`; `cpu` never looks.
 * Never rejects, so a kernel can always start.
 */
export function initBackend(): Promise<{ name: BackendName; reason: string }> {
  initDone ??= (async () => {
    const a = asked();
    if (!webgpuAsked()) return backendInfo();
    const got = await loadWebGpu(a === "auto" ? "auto" : "any");
    if (typeof got === "string") {
      current = cpu;
      reason = `GRADLAB_BACKEND=${a}: the CPU, since ${got}`;
    } else {
      current = got;
      reason = `GRADLAB_BACKEND=${a}: WebGPU on ${got.description}`;
    }
    return backendInfo();
  })();
  return initDone;
}

export async function setBackend(name: BackendName): Promise<BackendName> {
  if (name === "cpu") {
    current = cpu;
    reason = "setBackend('cpu')";
    return current.name;
  }
  if (name === "webgpu") {
    const got = await loadWebGpu();
    if (typeof got === "string") throw new GradlabError(`setBackend: no WebGPU here (${got}); 'cpu' is available`);
    current = got;
    reason = `setBackend('webgpu'): ${got.description}`;
    return current.name;
  }
  throw new GradlabError(`setBackend: unknown backend ${JSON.stringify(name)}; choose 'cpu' or 'webgpu'`);
}

/** A backend by name, for moving tensors (`t.to(name)`); WebGPU is started if needed. */
export async function backendNamed(name: BackendName): Promise<Backend> {
  if (name === "cpu") return cpu;
  if (name === "webgpu") {
    const got = await loadWebGpu();
    if (typeof got === "string") throw new GradlabError(`to: no WebGPU here (${got})`);
    return got;
  }
  throw new GradlabError(`to: unknown device ${JSON.stringify(name)}; choose 'cpu' or 'webgpu'`);
}

/** The WebGPU backend if it has been started, for diagnostics and tests. */
export function webgpuBackend(): WebGpuBackend | null {
  return webgpu;
}
