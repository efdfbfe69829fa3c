import { gradMode } from "./mode.js";
import { GradlabError, ShapeError, fmtShape } from "../tensor/errors.js";
import { sameShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { beginScope, endScope, type Storage } from "../tensor/storage.js";
import { onesLike, tensorOn } from "../tensor/creation.js";
import type { NestedInput } from "../tensor/nested.js";

const NO_INPUTS: readonly Tensor[] = [];

/**
 * Tensors that lead to `root` through gradient-requiring edges, inputs before outputs.
 * Iterative (an explicit stack), so a 20,000-op chain cannot overflow the call stack.
 */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  const stack: Tensor[] = [root];
  const next: number[] = [0];
  while (stack.length > 0) {
    const top = stack.length - 1;
    const t = stack[top]!;
    const inputs = t.node ? t.node.inputs : NO_INPUTS;
    const i = next[top]!;
    if (i < inputs.length) {
      next[top] = i + 1;
      const child = inputs[i]!;
      if (child.requiresGrad && !seen.has(child)) {
        seen.add(child);
        stack.push(child);
        next.push(0);
      }
    } else {
      stack.pop();
      next.pop();
      order.push(t);
    }
  }
  return order;
}

interface Propagation {
  createGraph: boolean;
  /**
   * Called with each tensor's total gradient; leaves and retained tensors store it. Outside
   * createGraph it runs in the pass's allocation scope and returns the tensor it keeps, if any.
   */
  visit: (t: Tensor, g: Tensor, scope: PassScope | null) => void;
  /** When set, only nodes that can reach one of these are expanded. */
  targets?: ReadonlySet<Tensor>;
}

/**
 * What a backward pass allocates: every gradient rule's temporaries, the partial sums, the seed.
 * When the pass ends, everything not kept as a result is freed at once, so a training loop that
 * never awaits does not pile up gradient buffers until the garbage collector gets to them.
 * (With createGraph the temporaries are part of a new graph, and nothing is freed.)
 */
export class PassScope {
  private readonly created: Storage[];
  private readonly kept = new Set<Storage>();
  private readonly createdSet = new Set<Storage>();
  private synced = 0;

  constructor() {
    this.created = beginScope();
  }

  private madeHere(s: Storage): boolean {
    for (; this.synced < this.created.length; this.synced++) this.createdSet.add(this.created[this.synced]!);
    return this.createdSet.has(s);
  }

  /**
   * A result the caller may keep and later free or write without anyone noticing: `g` itself
   * when its buffer was made by this pass for it alone (contiguous from the start, not already
   * kept), else a contiguous copy of it.
   */
  own(g: Tensor): Tensor {
    const mine = g.offset === 0 && g.isContiguous && this.madeHere(g.storage) && !this.kept.has(g.storage);
    const t = mine ? g : g.clone();
    this.kept.add(t.storage);
    return t;
  }

  /** A result handed to user code: kept, and counted as a holder of a buffer made elsewhere. */
  share(g: Tensor): Tensor {
    if (this.madeHere(g.storage)) this.kept.add(g.storage);
    else g.storage.holders++;
    return g;
  }

  end(): void {
    endScope(this.created, this.kept);
  }
}

function propagate(root: Tensor, makeSeed: () => Tensor, p: Propagation): void {
  const order = topoOrder(root);
  let reaches: Set<Tensor> | null = null;
  if (p.targets) {
    reaches = new Set();
    for (const t of order) {
      if (p.targets.has(t) || (t.node && t.node.inputs.some((i) => reaches!.has(i)))) reaches.add(t);
    }
  }
  const prev = gradMode.enabled;
  gradMode.enabled = p.createGraph;
  const scope = p.createGraph ? null : new PassScope();
  try {
    const grads = new Map<Tensor, Tensor>([[root, makeSeed()]]);
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k]!;
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      p.visit(t, g, scope);
      const node = t.node;
      if (!node || (reaches && !reaches.has(t))) continue;
      const gs = node.vjp(g);
      for (let j = 0; j < node.inputs.length; j++) {
        const input = node.inputs[j]!;
        let gi = gs[j];
        if (!gi || !input.requiresGrad) continue;
        if (!sameShape(gi.shape, input.shape)) {
          throw new GradlabError(`internal: the gradient rule of ${node.op} gave shape ${fmtShape(gi.shape)} for an input of shape ${fmtShape(input.shape)}`);
        }
        if (gi.dtype !== input.dtype) gi = gi.cast(input.dtype);
        const acc = grads.get(input);
        grads.set(input, acc ? acc.add(gi) : gi);
      }
    }
  } finally {
    gradMode.enabled = prev;
    scope?.end();
  }
}

function seedFor(op: string, root: Tensor, grad: Tensor | number | NestedInput | undefined): Tensor {
  if (grad === undefined) {
    if (root.size !== 1) {
      throw new ShapeError(
        `${op}: the output has shape ${fmtShape(root.shape)}; backward() without an argument needs a single-element tensor such as a loss. Reduce it first (.sum() or .mean()) or pass a gradient of shape ${fmtShape(root.shape)}`,
      );
    }
    return onesLike(root);
  }
  // On the output's backend, which need not be the current one (plot.descentPath runs on the CPU).
  const g = grad instanceof Tensor ? grad : tensorOn(root.backend, grad, { dtype: root.dtype });
  if (!sameShape(g.shape, root.shape)) {
    throw new ShapeError(`${op}: the gradient has shape ${fmtShape(g.shape)} but the output has shape ${fmtShape(root.shape)}; they must match`);
  }
  return g.dtype === root.dtype ? g : g.cast(root.dtype);
}

function requireGraph(op: string, root: Tensor): void {
  if (!root.requiresGrad) {
    throw new GradlabError(
      `${op}: this tensor does not require gradients, so there is nothing to differentiate. Create the inputs you want gradients for with { requiresGrad: true }, e.g. tensor([1, 2], { requiresGrad: true }), and compute the result from them (outside noGrad)`,
    );
  }
}

/** Accumulates d(root)/d(leaf) into every leaf's `.grad` (and retained intermediates'), like PyTorch. */
export function backward(root: Tensor, grad: Tensor | number | NestedInput | undefined, createGraph: boolean): void {
  requireGraph("backward", root);
  propagate(root, () => seedFor("backward", root, grad), {
    createGraph,
    visit: (t, g, scope) => {
      if (!t.retainsGrad) return;
      if (!scope) {
        const had = t.grad;
        t.grad = had ? had.add(g) : g;
        return;
      }
      const had = t._peekGrad();
      const total = scope.own(had ? had.detach().add(g) : g.detach());
      // The gradient the sum replaces goes now if the engine alone held it.
      if (had) t._releaseGrad();
      t._setOwnGrad(total);
    },
  });
}

/** The gradients of `root` with respect to `inputs`, without touching any `.grad` (torch.autograd.grad). */
export function gradients(root: Tensor, inputs: readonly Tensor[], createGraph: boolean): (Tensor | null)[] {
  requireGraph("grad", root);
  const found = new Map<Tensor, Tensor>();
  const targets = new Set(inputs);
  propagate(root, () => seedFor("grad", root, undefined), {
    createGraph,
    targets,
    visit: (t, g, scope) => {
      if (targets.has(t)) found.set(t, scope ? scope.share(g) : g);
    },
  });
  return inputs.map((t) => found.get(t) ?? null);
}
