import type { UpdateExpr, UpdatePlan } from "../../../update.js";
import { f32, f32x4, i32, v128, type Expr, type Local } from "../emit/expr.js";
import { ModuleBuilder, type Fn } from "../emit/module.js";

/**
 * One float32 kernel for an update plan (see backend/update.ts):
 * `update(read0, write0, …, readT, writeT, input0, …, n, c0, c1, …)`, pointers in bytes.
 * Each target is read at `read` and its new value stored at `write` (the same address updates it
 * in place). Four elements per step with SIMD, then a scalar tail; the operations are IEEE
 * float32 in both, in the plan's order, so the result is the same bits as the tensor ops.
 */
export function updateModuleBytes(plan: UpdatePlan, memory: { min: number; max: number; shared: boolean }): Uint8Array {
  const mod = new ModuleBuilder(memory);
  const params = [
    ...Array.from({ length: 2 * plan.targets + plan.inputs + 1 }, () => "i32" as const),
    ...plan.consts.map(() => "f32" as const),
  ];
  mod.func("update", params, null, (f, ...args) => {
    const ptr = args as unknown as Local<"i32">[];
    const reads = Array.from({ length: plan.targets }, (_, k) => ptr[2 * k]!);
    const writes = Array.from({ length: plan.targets }, (_, k) => ptr[2 * k + 1]!);
    const ins = Array.from({ length: plan.inputs }, (_, k) => ptr[2 * plan.targets + k]!);
    const n = ptr[2 * plan.targets + plan.inputs]!;
    const consts = (args as unknown as Local<"f32">[]).slice(2 * plan.targets + plan.inputs + 1);
    const splat = consts.map((c) => {
      const l = f.local("v128");
      f.set(l, f32x4.splat(c.get()));
      return l;
    });
    const byteEnd = f.local("i32");
    const vecEnd = f.local("i32");
    const o = f.local("i32");
    f.set(byteEnd, i32.shl(n.get(), i32.const(2)));
    f.set(vecEnd, i32.and(byteEnd.get(), i32.const(-16)));

    // One pass of the plan over either lanes of 4 or single values.
    const pass = <T extends "v128" | "f32">(type: T, load: (at: Local<"i32">) => Expr<T>, store: (at: Local<"i32">, v: Expr<T>) => void,
      c: (i: number) => Expr<T>, ops: Ops<T>) => {
      const tv = reads.map((r) => {
        const l = f.local(type);
        f.set(l, load(addr(f, r, o)));
        return l;
      });
      const xv = ins.map((r) => {
        const l = f.local(type);
        f.set(l, load(addr(f, r, o)));
        return l;
      });
      const lets: Local<T>[] = [];
      const ev = (e: UpdateExpr): Expr<T> => {
        switch (e.op) {
          case "target": return tv[e.i]!.get();
          case "input": return xv[e.i]!.get();
          case "const": return c(e.i);
          case "let": return lets[e.i]!.get();
          case "sqrt": return ops.sqrt(ev(e.a));
          default: return ops[e.op](ev(e.a), ev(e.b));
        }
      };
      for (const e of plan.lets) {
        const l = f.local(type);
        f.set(l, ev(e));
        lets.push(l);
      }
      const results = plan.results.map((e) => {
        const l = f.local(type);
        f.set(l, ev(e));
        return l;
      });
      results.forEach((r, k) => store(addr(f, writes[k]!, o), r.get()));
    };

    f.for(o, i32.const(0), vecEnd.get(), 16, () =>
      pass("v128", (a) => v128.load(a.get()), (a, v) => f.do(v128.store(a.get(), v)), (i) => splat[i]!.get(), SIMD));
    f.for(o, vecEnd.get(), byteEnd.get(), 4, () =>
      pass("f32", (a) => f32.load(a.get()), (a, v) => f.do(f32.store(a.get(), v)), (i) => consts[i]!.get(), SCALAR));
  });
  return mod.toBytes();
}

interface Ops<T extends "v128" | "f32"> {
  add(a: Expr<T>, b: Expr<T>): Expr<T>;
  sub(a: Expr<T>, b: Expr<T>): Expr<T>;
  mul(a: Expr<T>, b: Expr<T>): Expr<T>;
  div(a: Expr<T>, b: Expr<T>): Expr<T>;
  sqrt(a: Expr<T>): Expr<T>;
}

const SIMD: Ops<"v128"> = { add: f32x4.add, sub: f32x4.sub, mul: f32x4.mul, div: f32x4.div, sqrt: f32x4.sqrt };
const SCALAR: Ops<"f32"> = { add: f32.add, sub: f32.sub, mul: f32.mul, div: f32.div, sqrt: f32.sqrt };

/** A local holding base + o (the element's byte offset), so each operand's address is computed once per step. */
function addr(f: Fn, base: Local<"i32">, o: Local<"i32">): Local<"i32"> {
  const l = f.local("i32");
  f.set(l, i32.add(base.get(), o.get()));
  return l;
}
