import { setBackend, tensor, type Tensor } from "../../lib/index.js";
import { webgpuBackend } from "../../lib/backend/registry.js";
import type { GpuPeer } from "./gpu-peer.js";

/**
 * gradlab on its WebGPU backend, as a lesson uses it: no dispose, the collector recycles memory.
 * "default": small ops on host values run on the CPU, elementwise chains on the GPU are fused;
 * "GPU, fused": every op on the GPU, chains fused; "GPU, one kernel per op": no fusion either.
 */
export type GradlabGpuMode = "default" | "GPU, fused" | "GPU, one kernel per op";

export function gradlabWebGpuPeer(mode: GradlabGpuMode): GpuPeer {
  const backend = () => {
    const be = webgpuBackend();
    if (!be) throw new Error("gradlab: the WebGPU backend is not running");
    return be;
  };
  return {
    name: mode === "default" ? "gradlab" : `gradlab, ${mode}`,

    async activate() {
      await setBackend("webgpu");
      backend().fusion = mode !== "GPU, one kernel per op";
      backend().hostOps = mode === "default";
    },

    matmul(n, av, bv) {
      const a = tensor(av).reshape(n, n);
      const b = tensor(bv).reshape(n, n);
      let out = new Float32Array(0);
      return {
        async run() {
          out = (await a.matmul(b).data()) as Float32Array;
        },
        read: () => out,
      };
    },

    addChain(ops, av, bv) {
      const a = tensor(av).reshape(2, 2);
      const b = tensor(bv).reshape(2, 2);
      let out = new Float32Array(0);
      return {
        async run() {
          let x: Tensor = a;
          for (let i = 0; i < ops; i++) x = x.add(b);
          out = (await x.data()) as Float32Array;
        },
        read: () => out,
      };
    },

    submitMs: () => backend().stats().submitMs,
  };
}
