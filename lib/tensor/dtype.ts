import { GradlabError } from "./errors.js";

/** Element types a tensor can hold. `float64` exists on the CPU backend only. */
export type DType = "float32" | "float64" | "int32" | "bool";

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ["bool", "int32", "float32", "float64"];

export function isDType(x: unknown): x is DType {
  return typeof x === "string" && (DTYPES as readonly string[]).includes(x);
}

export function isFloat(d: DType): boolean {
  return d === "float32" || d === "float64";
}

export function bytesPerElement(d: DType): number {
  return d === "float64" ? 8 : d === "bool" ? 1 : 4;
}

export function allocArray(d: DType, n: number): TypedArray {
  try {
    switch (d) {
      case "float32": return new Float32Array(n);
      case "float64": return new Float64Array(n);
      case "int32": return new Int32Array(n);
      case "bool": return new Uint8Array(n);
    }
  } catch (e) {
    // V8 says only "Invalid typed array length: 1000000000000" or "Array buffer allocation failed".
    if (!(e instanceof RangeError)) throw e;
    throw new GradlabError(
      `cannot allocate ${n.toLocaleString("en-US")} ${d} values (${gigabytes(n * bytesPerElement(d))}): ${e.message}. ` +
        `Use a smaller shape, or work through the data in batches.`,
    );
  }
}

function gigabytes(bytes: number): string {
  return bytes >= 1e9 ? `${Number((bytes / 1e9).toPrecision(3))} GB` : `${Number((bytes / 1e6).toPrecision(3))} MB`;
}

export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  return "bool";
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** Type promotion like PyTorch: bool < int32 < float32 < float64. */
export function promote(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * A plain JS number next to a tensor is "weak" (as in PyTorch and JAX): it does not widen
 * a float32 tensor to float64, but a fractional number does turn an int tensor into float32.
 */
export function promoteWithScalar(t: DType, v: number | boolean): DType {
  if (typeof v === "boolean") return t;
  if (Number.isInteger(v)) return t === "bool" ? "int32" : t;
  return isFloat(t) ? t : "float32";
}
