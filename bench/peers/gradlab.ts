import { noGrad, tensor, type Tensor } from "../../lib/index.js";
import type { MlpInit, Peer, ValueCase } from "./peer.js";

const f32 = (t: Tensor) => t.dataSync() as Float32Array;

/** gradlab through its public API, written the way a lesson would. */
export function gradlabPeer(options: { dispose: boolean }): Peer {
  return {
    name: options.dispose ? "gradlab" : "gradlab (GC only)",

    add2x2(av, bv) {
      const a = tensor(av, { requiresGrad: true }).reshape(2, 2);
      const b = tensor(bv).reshape(2, 2);
      let c = a;
      return { run: () => void (c = a.add(b)), read: () => f32(c) };
    },

    scalarChain(wv, bv) {
      const w = tensor(wv, { requiresGrad: true });
      const b = tensor(bv, { requiresGrad: true });
      return {
        run() {
          w.grad = null;
          b.grad = null;
          let y = tensor(0.3);
          for (let i = 0; i < 250; i++) y = y.add(y.mul(w).add(b).tanh());
          y.backward();
        },
        read: () => [w.grad!.itemSync() as number, b.grad!.itemSync() as number],
      };
    },

    matmul(n, av, bv) {
      const a = tensor(av).reshape(n, n);
      const b = tensor(bv).reshape(n, n);
      let c: Tensor | null = null;
      return {
        run() {
          // Like TF.js's dispose(): free the previous result now rather than at the next GC.
          if (options.dispose) c?.dispose();
          c = a.matmul(b);
        },
        read: () => f32(c!),
      };
    },

    relu(xv) {
      const x = tensor(xv);
      let y: Tensor | null = null;
      return {
        run() {
          if (options.dispose) y?.dispose();
          y = x.relu();
        },
        read: () => f32(y!),
      };
    },

    mlpStep(init: MlpInit): ValueCase<number> {
      const w1 = tensor(init.w1).reshape(784, 128);
      const b1 = tensor(init.b1);
      const w2 = tensor(init.w2).reshape(128, 10);
      const b2 = tensor(init.b2);
      const params = [w1, b1, w2, b2];
      for (const p of params) p.requiresGrad = true;
      const x = tensor(init.x).reshape(64, 784);
      const y = tensor(init.labels, { dtype: "int32" }).reshape(64, 1);
      let loss: Tensor | null = null;
      return {
        run() {
          const logits = x.matmul(w1).add(b1).relu().matmul(w2).add(b2);
          loss = logits.logSoftmax(1).gather(1, y).mean().neg();
          loss.backward();
          noGrad(() => {
            for (const p of params) {
              p._assign(p.sub(p.grad!.mul(init.lr)));
              p.grad = null;
            }
          });
        },
        read: () => loss!.itemSync() as number,
      };
    },
  };
}
