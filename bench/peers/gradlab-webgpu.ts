import { setBackend, tensor, type Tensor } from "../../lib/index.js";
import { webgpuBackend } from "../../lib/backend/registry.js";
import type { GpuPeer } from "./gpu-peer.js";

/**
 * gradlab on its WebGPU backend, as a lesson uses it: no dispose, the collector recycles memory.
 * `defaults`: small ops on host values run on the CPU and chains of elementwise ops are fused;
 * without them every op dispatches its own GPU kernel.
 */
export function gradlabWebGpuPeer(defaults: boolean): GpuPeer {
  const backend = () => {
    const be = webgpuBackend();
    if (!be) throw new Error("gradlab: the WebGPU backend is not running");
    return be;
  };
  return {
    name: defaults ? "gradlab" : "gradlab, one kernel per op",

    async activate() {
      await setBackend("webgpu");
      backend().fusion = defaults;
      backend().hostOps = defaults;
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
