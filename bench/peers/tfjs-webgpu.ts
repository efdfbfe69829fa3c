import * as tf from "@tensorflow/tfjs-core";
import { timeSubmits, type GpuPeer } from "./gpu-peer.js";

/**
 * TensorFlow.js 4.22's WebGPU backend, used as its documentation says (results disposed).
 * `cpuForward` is its default: ops on tensors under 1000 elements whose values are still on the
 * CPU run on the CPU, not the GPU. With it off (flag WEBGPU_CPU_FORWARD), every op dispatches
 * a GPU kernel. Needs navigator.gpu (webgpu-navigator.ts) before `activate`.
 */
export function tfjsWebGpuPeer(cpuForward: boolean): GpuPeer {
  let submitted: (() => number) | null = null;
  return {
    name: cpuForward ? "TF.js WebGPU" : "TF.js WebGPU, GPU only",

    async activate() {
      // The backend registers itself on import only if navigator.gpu exists by then.
      await import("@tensorflow/tfjs-backend-webgpu");
      if (tf.getBackend() !== "webgpu" && !(await tf.setBackend("webgpu"))) throw new Error("TF.js WebGPU backend failed to start");
      await tf.ready();
      tf.env().set("WEBGPU_CPU_FORWARD", cpuForward);
      submitted ??= timeSubmits((tf.backend() as unknown as { device: GPUDevice }).device);
    },

    matmul(n, av, bv) {
      const a = tf.tensor2d(av, [n, n]);
      const b = tf.tensor2d(bv, [n, n]);
      let out = new Float32Array(0);
      return {
        async run() {
          const c = tf.matMul(a, b);
          out = (await c.data()) as Float32Array;
          c.dispose();
        },
        read: () => out,
        dispose: () => tf.dispose([a, b]),
      };
    },

    addChain(ops, av, bv) {
      const a = tf.tensor2d(av, [2, 2]);
      const b = tf.tensor2d(bv, [2, 2]);
      let out = new Float32Array(0);
      return {
        async run() {
          let x: tf.Tensor = a;
          for (let i = 0; i < ops; i++) {
            const y = tf.add(x, b);
            if (x !== a) x.dispose();
            x = y;
          }
          out = (await x.data()) as Float32Array;
          x.dispose();
        },
        read: () => out,
        dispose: () => tf.dispose([a, b]),
      };
    },

    submitMs: () => submitted?.() ?? 0,
  };
}
