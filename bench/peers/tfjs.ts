import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import type { MlpInit, Peer, ValueCase } from "./peer.js";
import { registerTfjsGradients } from "./tfjs-gradients.js";

/**
 * TensorFlow.js 4.22 on its CPU (plain JS) or Wasm backend (XNNPACK, SIMD, one thread in
 * Node), written as its documentation recommends: results disposed, gradients via tf.grads.
 * Only tfjs-core's functional ops are used (the chained `x.add()` API is a separate import).
 */
export function tfjsPeer(backend: "cpu" | "wasm"): Peer & { activate(): Promise<void> } {
  const f32 = (t: tf.Tensor) => t.dataSync() as Float32Array;
  /** Replaces a kept result, disposing the previous one (what TF.js users must do). */
  const holder = () => {
    let t: tf.Tensor | null = null;
    return {
      set(next: tf.Tensor) {
        t?.dispose();
        t = next;
      },
      get: () => t!,
    };
  };
  return {
    name: backend === "cpu" ? "TF.js CPU" : "TF.js Wasm",

    async activate() {
      await registerTfjsGradients();
      if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} failed to start`);
      await tf.ready();
    },

    add2x2(av, bv) {
      const a = tf.tensor2d(av, [2, 2]);
      const b = tf.tensor2d(bv, [2, 2]);
      const c = holder();
      return { run: () => c.set(tf.add(a, b)), read: () => f32(c.get()), dispose: () => tf.dispose([a, b, c.get()]) };
    },

    scalarChain(wv, bv) {
      const w = tf.scalar(wv);
      const b = tf.scalar(bv);
      const g = tf.grads((wt: tf.Tensor, bt: tf.Tensor) => {
        let y: tf.Tensor = tf.scalar(0.3);
        for (let i = 0; i < 250; i++) y = tf.add(y, tf.tanh(tf.add(tf.mul(y, wt), bt)));
        return y;
      });
      let grads: tf.Tensor[] = [];
      return {
        run() {
          tf.dispose(grads);
          grads = tf.tidy(() => g([w, b]));
        },
        read: () => [f32(grads[0]!)[0]!, f32(grads[1]!)[0]!],
        dispose: () => tf.dispose([w, b, ...grads]),
      };
    },

    matmul(n, av, bv) {
      const a = tf.tensor2d(av, [n, n]);
      const b = tf.tensor2d(bv, [n, n]);
      const c = holder();
      return { run: () => c.set(tf.matMul(a, b)), read: () => f32(c.get()), dispose: () => tf.dispose([a, b, c.get()]) };
    },

    relu(xv) {
      const x = tf.tensor1d(xv);
      const y = holder();
      return { run: () => y.set(tf.relu(x)), read: () => f32(y.get()), dispose: () => tf.dispose([x, y.get()]) };
    },

    mlpStep(init: MlpInit): ValueCase<number> {
      const w1 = tf.variable(tf.tensor2d(init.w1, [784, 128]));
      const b1 = tf.variable(tf.tensor1d(init.b1));
      const w2 = tf.variable(tf.tensor2d(init.w2, [128, 10]));
      const b2 = tf.variable(tf.tensor1d(init.b2));
      const x = tf.tensor2d(init.x, [64, 784]);
      const oneHot = tf.cast(tf.oneHot(tf.tensor1d(init.labels, "int32"), 10), "float32");
      const vars = [w1, b1, w2, b2];
      const loss = holder();
      return {
        run() {
          const { value, grads } = tf.variableGrads(() => {
            const logits = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), b2);
            return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits, 1), oneHot), 1))) as tf.Scalar;
          }, vars);
          tf.tidy(() => {
            for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name]!, init.lr)));
          });
          tf.dispose(grads);
          loss.set(value);
        },
        read: () => f32(loss.get())[0]!,
        dispose: () => tf.dispose([...vars, x, oneHot, loss.get()]),
      };
    },
  };
}
