/**
 * A loop nest over an output shape with one stride list per input, merged as far as the
 * strides allow: size-1 axes vanish, and neighbours merge when every input steps through
 * them as one (contiguous runs, and broadcast runs whose strides are all 0). A contiguous
 * or row-broadcast operand of any rank comes out as at most two axes, what the 2-D Wasm
 * kernels take.
 */
export interface Collapsed {
  readonly shape: number[];
  readonly strides: number[][];
}

export function collapse(shape: readonly number[], strides: readonly (readonly number[])[]): Collapsed {
  const dims: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    if (n === 1) continue;
    const k = dims.length - 1;
    let merge = k >= 0;
    for (let i = 0; merge && i < strides.length; i++) merge = st[i]![k] === strides[i]![d]! * n;
    if (merge) {
      dims[k]! *= n;
      for (let i = 0; i < strides.length; i++) st[i]![k] = strides[i]![d]!;
    } else {
      dims.push(n);
      for (let i = 0; i < strides.length; i++) st[i]!.push(strides[i]![d]!);
    }
  }
  return { shape: dims, strides: st };
}

/**
 * Calls `block(offsets, outOffset)` for every (rows × cols) block of a collapsed nest, where
 * cols is the last axis and rows the one before; leading axes are walked here. Offsets are
 * in elements, per input.
 */
export function forEachBlock(
  c: Collapsed, base: readonly number[], block: (offsets: readonly number[], outOffset: number) => void,
): void {
  const nd = c.shape.length;
  const lead = Math.max(0, nd - 2);
  const offsets = base.slice();
  const blockSize = (nd >= 1 ? c.shape[nd - 1]! : 1) * (nd >= 2 ? c.shape[nd - 2]! : 1);
  let total = 1;
  for (let d = 0; d < lead; d++) total *= c.shape[d]!;
  const idx = new Array<number>(lead).fill(0);
  for (let t = 0, o = 0; t < total; t++, o += blockSize) {
    block(offsets, o);
    for (let d = lead - 1; d >= 0; d--) {
      idx[d]!++;
      for (let i = 0; i < offsets.length; i++) offsets[i]! += c.strides[i]![d]!;
      if (idx[d]! < c.shape[d]!) break;
      for (let i = 0; i < offsets.length; i++) offsets[i]! -= c.strides[i]![d]! * c.shape[d]!;
      idx[d] = 0;
    }
  }
}

/** Rows, columns and per-input row/column strides of a collapsed nest's last two axes. */
export function blockDims(c: Collapsed): { rows: number; cols: number; rowStrides: number[]; colStrides: number[] } {
  const nd = c.shape.length;
  return {
    rows: nd >= 2 ? c.shape[nd - 2]! : 1,
    cols: nd >= 1 ? c.shape[nd - 1]! : 1,
    rowStrides: c.strides.map((s) => (nd >= 2 ? s[nd - 2]! : 0)),
    colStrides: c.strides.map((s) => (nd >= 1 ? s[nd - 1]! : 1)),
  };
}
