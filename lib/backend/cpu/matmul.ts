import type { TypedArray } from "../../tensor/dtype.js";

/**
 * One [m,k] @ [k,n] block into out (zeroed) at outOff. `a` rows are contiguous (stride k);
 * `b` is either row-major (stride n) or column-major (its transpose is row-major), which is
 * what the backward pass produces; the two layouts get the loop order that reads memory in order.
 */
export function matmulBlock(
  a: TypedArray, aOff: number, b: TypedArray, bOff: number, bColMajor: boolean,
  out: TypedArray, outOff: number, m: number, k: number, n: number,
): void {
  if (bColMajor) {
    for (let i = 0; i < m; i++) {
      const ar = aOff + i * k;
      const or = outOff + i * n;
      for (let j = 0; j < n; j++) {
        const br = bOff + j * k;
        let s = 0;
        for (let p = 0; p < k; p++) s += a[ar + p]! * b[br + p]!;
        out[or + j] = s;
      }
    }
    return;
  }
  // i-k-j order: the inner loop streams one row of b into one row of out.
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    const ar = aOff + i * k;
    for (let p = 0; p < k; p++) {
      const av = a[ar + p]!;
      const br = bOff + p * n;
      for (let j = 0; j < n; j++) row[j]! += av * b[br + j]!;
    }
    const or = outOff + i * n;
    for (let j = 0; j < n; j++) out[or + j] = row[j]!;
  }
}
