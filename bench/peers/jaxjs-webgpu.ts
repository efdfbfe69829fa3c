import type { GpuPeer } from "./gpu-peer.js";
import { timeSubmits } from "./gpu-peer.js";

type Jax = typeof import("@jax-js/jax");
type JaxArray = InstanceType<Jax["Array"]>;

/**
 * jax-js 0.1 on its WebGPU backend. Its arrays follow move semantics: an op consumes its inputs,
 * and `.ref` keeps one alive for another use. Ops are lazy and fused until a read. Needs
 * navigator.gpu (webgpu-navigator.ts) before `activate`.
 */
export function jaxjsWebGpuPeer(): GpuPeer {
  let jax: Jax | null = null;
  let submitted: (() => number) | null = null;
  const lib = (): Jax => {
    if (!jax) throw new Error("jax-js: activate() first");
    return jax;
  };
  const upload = (values: Float32Array, shape: number[]): JaxArray => lib().numpy.array(values).reshape(shape);
  return {
    name: "jax-js WebGPU",

    async activate() {
      if (!jax) {
        jax = await import("@jax-js/jax");
        const devices = await jax.init("webgpu");
        if (!devices.includes("webgpu")) throw new Error("jax-js found no WebGPU device");
        submitted = timeSubmits(jax.getWebGPUDevice());
      }
      jax.defaultDevice("webgpu");
    },

    matmul(n, av, bv) {
      const a = upload(av, [n, n]);
      const b = upload(bv, [n, n]);
      let out = new Float32Array(0);
      return {
        async run() {
          out = (await lib().numpy.matmul(a.ref, b.ref).data()) as Float32Array;
        },
        read: () => out,
        dispose: () => {
          a.dispose();
          b.dispose();
        },
      };
    },

    addChain(ops, av, bv) {
      const a = upload(av, [2, 2]);
      const b = upload(bv, [2, 2]);
      let out = new Float32Array(0);
      return {
        async run() {
          const np = lib().numpy;
          let x = np.add(a.ref, b.ref);
          for (let i = 1; i < ops; i++) x = np.add(x, b.ref);
          out = (await x.data()) as Float32Array;
        },
        read: () => out,
        dispose: () => {
          a.dispose();
          b.dispose();
        },
      };
    },

    submitMs: () => submitted?.() ?? 0,
  };
}
