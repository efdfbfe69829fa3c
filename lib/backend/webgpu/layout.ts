import type { View } from "../backend.js";
import { contiguousStrides } from "../../tensor/shape.js";

/** How a kernel walks one operand: in step with the output, a single element, or by strides. */
export type Access = "c" | "s" | "g";

export interface Walk {
  /** The output shape after merging axes that every operand walks in step. */
  shape: number[];
  /** Per operand: its strides over `shape`, its offset and how it is read. */
  operands: { strides: number[]; offset: number; access: Access }[];
}

/**
 * Merges neighbouring axes wherever every operand's strides allow (a contiguous [32,10] tensor is
 * one axis of 320), drops size-1 axes, and classifies each operand. Kernels are compiled per
 * number of axes and access pattern, so fewer axes mean fewer distinct pipelines and cheaper
 * index arithmetic.
 */
export function coalesce(shape: readonly number[], views: readonly { strides: readonly number[]; offset: number }[]): Walk {
  const keep: number[] = [];
  for (let d = 0; d < shape.length; d++) if (shape[d] !== 1) keep.push(d);
  const outShape: number[] = [];
  const strides: number[][] = views.map(() => []);
  for (const d of keep) {
    const size = shape[d]!;
    const last = outShape.length - 1;
    const mergeable = last >= 0 && views.every((v, i) => strides[i]![last] === v.strides[d]! * size);
    if (mergeable) {
      outShape[last] = outShape[last]! * size;
      views.forEach((v, i) => (strides[i]![last] = v.strides[d]!));
    } else {
      outShape.push(size);
      views.forEach((v, i) => strides[i]!.push(v.strides[d]!));
    }
  }
  const contiguous = contiguousStrides(outShape);
  return {
    shape: outShape,
    operands: views.map((v, i) => {
      const s = strides[i]!;
      const access: Access = s.every((x) => x === 0) ? "s" : s.every((x, d) => x === contiguous[d]) ? "c" : "g";
      return { strides: s, offset: v.offset, access };
    }),
  };
}

/** Splits a view into the axes kept and the axes listed, each merged where possible. */
export function splitAxes(x: View<unknown>, axes: readonly number[]): { kept: Walk; reduced: Walk } {
  const keptAxes = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const pick = (list: readonly number[]) => ({ shape: list.map((i) => x.shape[i]!), strides: list.map((i) => x.strides[i]!) });
  const k = pick(keptAxes);
  const r = pick(axes);
  return {
    kept: coalesce(k.shape, [{ strides: k.strides, offset: x.offset }]),
    reduced: coalesce(r.shape, [{ strides: r.strides, offset: 0 }]),
  };
}
