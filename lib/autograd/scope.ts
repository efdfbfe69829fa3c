import { beginScope, endScope, type Scope, type Storage } from "../tensor/storage.js";
import type { Tensor } from "../tensor/tensor.js";

/**
 * The buffers made while library code runs whose temporaries no other code can see: a backward
 * pass (every gradient rule's temporaries, the partial sums) or the inside of a fused op. When
 * the scope ends, everything not kept is freed at once, so a loop that never awaits does not
 * pile up buffers until the garbage collector gets to them. Views made inside the scope are
 * not counted as holders (see Storage.hold): they die with the code that made them.
 */
export class AllocationScope {
  private readonly scope: Scope = beginScope();
  private readonly kept = new Set<Storage>();

  private madeHere(s: Storage): boolean {
    return s.scope === this.scope.id;
  }

  /**
   * A result the caller may keep and later free or write without anyone noticing: `g` itself
   * when its buffer was made in this scope for it alone (contiguous from the start, not already
   * kept), else a contiguous copy of it.
   */
  own(g: Tensor): Tensor {
    const mine = g.offset === 0 && g.isContiguous && this.madeHere(g.storage) && !this.kept.has(g.storage);
    const t = mine ? g : g.clone();
    this.kept.add(t.storage);
    return t;
  }

  /** A result handed to other code: kept, and counted as a holder when its buffer was made elsewhere. */
  share<T extends Tensor>(g: T): T {
    if (this.madeHere(g.storage)) this.kept.add(g.storage);
    else g.storage.holders++;
    return g;
  }

  end(): void {
    endScope(this.scope, this.kept);
  }
}

/**
 * Runs `fn` (library code, whose intermediate tensors stay local) and frees every buffer it made
 * except the result's. The forward pass of a fused op uses it: softmax, cross-entropy and a
 * linear layer compute through several kernels but leave one tensor behind.
 */
export function withTemporaries<T extends Tensor>(fn: () => T): T {
  const scope = new AllocationScope();
  try {
    return scope.share(fn());
  } finally {
    scope.end();
  }
}

/** withTemporaries for library code that leaves several tensors behind (a result and what its gradient reuses). */
export function withTemporariesKeeping<T extends readonly Tensor[]>(fn: () => T): T {
  const scope = new AllocationScope();
  try {
    const kept = fn();
    for (const t of kept) scope.share(t);
    return kept;
  } finally {
    scope.end();
  }
}
