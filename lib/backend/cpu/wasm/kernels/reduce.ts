import { f32, f64, f64x2, i32, i8x16, v128, type V128 } from "../emit/expr.js";
import type { ModuleBuilder } from "../emit/module.js";

const lanes = (...fs: number[]) => fs.flatMap((l) => [l * 4, l * 4 + 1, l * 4 + 2, l * 4 + 3]);
/** Lanes 2,3 of a f32x4 moved down, so promote_low widens the upper half. */
const high = (v: V128) => i8x16.shuffle(v, v, lanes(2, 3, 2, 3));

/**
 * Float32 sums accumulated in float64, like the TypeScript reference, so a long sum does not
 * drift. The summation order differs (several partial sums), which changes the float64 result
 * only in its last bits and the float32 result almost never.
 *  - sum_rows(x, xRow, out, rows, cols): out[r] = Σ_c x[r, c] (rows contiguous);
 *  - sum_cols(x, xRow, out, rows, cols, acc): out[c] = Σ_r x[r, c], acc = cols float64 of scratch.
 */
export function emitReduce(mod: ModuleBuilder): void {
  mod.func("sum_rows", ["i32", "i32", "i32", "i32", "i32"], null, (f, x, xRow, out, rows, cols) => {
    const r = f.local("i32");
    const j = f.local("i32");
    const xp = f.local("i32");
    const end8 = f.local("i32");
    const v = f.local("v128");
    const w = f.local("v128");
    const acc = [0, 1, 2, 3].map(() => f.local("v128"));
    const tail = f.local("f64");
    f.set(end8, i32.and(cols.get(), i32.const(-8)));
    f.for(r, i32.const(0), rows.get(), 1, () => {
      f.set(xp, i32.add(x.get(), i32.mul(r.get(), xRow.get())));
      for (const a of acc) f.set(a, v128.zero());
      f.for(j, i32.const(0), end8.get(), 8, () => {
        f.set(v, v128.load(xp.get()));
        f.set(w, v128.load(xp.get(), 16));
        f.set(acc[0]!, f64x2.add(acc[0]!.get(), f64x2.promote_low_f32x4(v.get())));
        f.set(acc[1]!, f64x2.add(acc[1]!.get(), f64x2.promote_low_f32x4(high(v.get()))));
        f.set(acc[2]!, f64x2.add(acc[2]!.get(), f64x2.promote_low_f32x4(w.get())));
        f.set(acc[3]!, f64x2.add(acc[3]!.get(), f64x2.promote_low_f32x4(high(w.get()))));
        f.inc(xp, 32);
      });
      f.set(tail, f64.const(0));
      f.for(j, end8.get(), cols.get(), 1, () => {
        f.set(tail, f64.add(tail.get(), f64.promote(f32.load(xp.get()))));
        f.inc(xp, 4);
      });
      const sum = f64x2.add(f64x2.add(acc[0]!.get(), acc[1]!.get()), f64x2.add(acc[2]!.get(), acc[3]!.get()));
      f.set(v, sum);
      const total = f64.add(f64.add(f64x2.extract_lane(v.get(), 0), f64x2.extract_lane(v.get(), 1)), tail.get());
      f.do(f32.store(i32.add(out.get(), i32.shl(r.get(), i32.const(2))), f32.demote(total)));
    });
  });

  mod.func("sum_cols", ["i32", "i32", "i32", "i32", "i32", "i32"], null, (f, x, xRow, out, rows, cols, acc) => {
    const r = f.local("i32");
    const j = f.local("i32");
    const xp = f.local("i32");
    const ap = f.local("i32");
    const end4 = f.local("i32");
    const v = f.local("v128");
    f.set(end4, i32.and(cols.get(), i32.const(-4)));
    f.for(j, i32.const(0), cols.get(), 1, () => f.do(f64.store(i32.add(acc.get(), i32.shl(j.get(), i32.const(3))), f64.const(0))));
    f.for(r, i32.const(0), rows.get(), 1, () => {
      f.set(xp, i32.add(x.get(), i32.mul(r.get(), xRow.get())));
      f.set(ap, acc.get());
      f.for(j, i32.const(0), end4.get(), 4, () => {
        f.set(v, v128.load(xp.get()));
        f.do(v128.store(ap.get(), f64x2.add(v128.load(ap.get()), f64x2.promote_low_f32x4(v.get()))));
        f.do(v128.store(ap.get(), f64x2.add(v128.load(ap.get(), 16), f64x2.promote_low_f32x4(high(v.get()))), 16));
        f.inc(xp, 16);
        f.inc(ap, 32);
      });
      f.for(j, end4.get(), cols.get(), 1, () => {
        f.do(f64.store(ap.get(), f64.add(f64.load(ap.get()), f64.promote(f32.load(xp.get())))));
        f.inc(xp, 4);
        f.inc(ap, 8);
      });
    });
    f.set(ap, acc.get());
    f.set(xp, out.get());
    f.for(j, i32.const(0), end4.get(), 4, () => {
      const lo = f64x2.demote_zero(v128.load(ap.get()));
      const hi = f64x2.demote_zero(v128.load(ap.get(), 16));
      f.do(v128.store(xp.get(), i8x16.shuffle(lo, hi, lanes(0, 1, 4, 5))));
      f.inc(ap, 32);
      f.inc(xp, 16);
    });
    f.for(j, end4.get(), cols.get(), 1, () => {
      f.do(f32.store(xp.get(), f32.demote(f64.load(ap.get()))));
      f.inc(ap, 8);
      f.inc(xp, 4);
    });
  });
}
