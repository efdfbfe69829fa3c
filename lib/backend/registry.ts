import type { Backend, BackendName } from "./backend.js";
import { CpuBackend } from "./cpu/cpu-backend.js";
import { GradlabError } from "../tensor/errors.js";

const cpu = new CpuBackend();
let current: Backend = cpu;
let reason = chooseAtStart();

function chooseAtStart(): string {
  const env = typeof process !== "undefined" ? process.env?.["GRADLAB_BACKEND"] : undefined;
  const asked = (env ?? "auto").trim().toLowerCase();
  if (asked === "cpu") return "GRADLAB_BACKEND=cpu";
  if (asked === "webgpu") return "GRADLAB_BACKEND=webgpu was asked for, but this build of gradlab has no WebGPU backend yet; using the CPU";
  if (asked !== "auto") return `GRADLAB_BACKEND=${env} is not one of auto|webgpu|cpu; using the CPU`;
  return "auto: this build of gradlab has no WebGPU backend yet, so the CPU backend runs everything";
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

export async function setBackend(name: BackendName): Promise<BackendName> {
  if (name === "cpu") {
    current = cpu;
    reason = "setBackend('cpu')";
    return current.name;
  }
  if (name === "webgpu") {
    throw new GradlabError("setBackend: the WebGPU backend is not part of this build of gradlab yet; 'cpu' is available");
  }
  throw new GradlabError(`setBackend: unknown backend ${JSON.stringify(name)}; choose 'cpu' or 'webgpu'`);
}
