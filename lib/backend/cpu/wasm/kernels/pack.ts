import { f32, f64, i32, i8x16, v128, type I32, type V128 } from "../emit/expr.js";
import type { Fn, ModuleBuilder } from "../emit/module.js";

// Lane shuffles of a 4×4 f32 transpose (two rounds of interleaving).
const lanes = (...fs: number[]) => fs.flatMap((l) => [l * 4, l * 4 + 1, l * 4 + 2, l * 4 + 3]);
const LO = lanes(0, 4, 1, 5); // a0 b0 a1 b1
const HI = lanes(2, 6, 3, 7); // a2 b2 a3 b3
const LO64 = lanes(0, 1, 4, 5);
const HI64 = lanes(2, 3, 6, 7);

/** Stores the transpose of the 4×4 block whose rows are r0..r3 to dst + 16·i (i = 0..3). */
function transpose4(f: Fn, rows: readonly V128[], dst: I32, dstStep: number): void {
  const r = rows.map((e) => {
    const l = f.local("v128");
    f.set(l, e);
    return l.get();
  });
  const t = [0, 1, 2, 3].map(() => f.local("v128"));
  f.set(t[0]!, i8x16.shuffle(r[0]!, r[1]!, LO));
  f.set(t[1]!, i8x16.shuffle(r[0]!, r[1]!, HI));
  f.set(t[2]!, i8x16.shuffle(r[2]!, r[3]!, LO));
  f.set(t[3]!, i8x16.shuffle(r[2]!, r[3]!, HI));
  f.do(v128.store(dst, i8x16.shuffle(t[0]!.get(), t[2]!.get(), LO64), 0));
  f.do(v128.store(dst, i8x16.shuffle(t[0]!.get(), t[2]!.get(), HI64), dstStep));
  f.do(v128.store(dst, i8x16.shuffle(t[1]!.get(), t[3]!.get(), LO64), 2 * dstStep));
  f.do(v128.store(dst, i8x16.shuffle(t[1]!.get(), t[3]!.get(), HI64), 3 * dstStep));
}

/**
 * Stores the last two lines of a panel 4k + 2 wide for 4 steps: the pairs (a_i, b_i) of rows a
 * and b go to dst + at + i·dstStep (after the values the 4×4 transposes wrote for the others).
 */
function interleavePair(f: Fn, a: V128, b: V128, dst: I32, dstStep: number, at: number): void {
  const lo = f.local("v128");
  const hi = f.local("v128");
  f.set(lo, i8x16.shuffle(a, b, LO)); // a0 b0 a1 b1
  f.set(hi, i8x16.shuffle(a, b, HI)); // a2 b2 a3 b3
  f.do(v128.store64_lane0(dst, lo.get(), at));
  f.do(v128.store64_lane0(dst, i8x16.shuffle(lo.get(), lo.get(), HI64), at + dstStep));
  f.do(v128.store64_lane0(dst, hi.get(), at + 2 * dstStep));
  f.do(v128.store64_lane0(dst, i8x16.shuffle(hi.get(), hi.get(), HI64), at + 3 * dstStep));
}

/**
 * Packing copies an operand of any strides into the micro-panel layout the GEMM kernel
 * streams. A panel is `w` lines (rows of A / columns of B) wide: for each step p of the
 * k dimension the panel stores the w values of its lines contiguously, zero past the edge.
 *
 * pack_panels(src, lineStride, stepStride, lines, kc, dst) with strides in bytes, w ∈ {4, 6, 8}.
 * Two layouts get SIMD paths because every matmul in a network's forward and backward pass
 * hits one of them: step stride 4 (each line contiguous: A row-major, Bᵀ) transposes 4×4
 * blocks; line stride 4 (lines adjacent: B row-major, Aᵀ) copies whole vectors.
 */
export function emitPack(mod: ModuleBuilder, w: number): void {
  if (w !== 4 && w !== 6 && w !== 8) throw new Error(`internal: panels are 4, 6 or 8 lines wide, not ${w}`);
  const quads = Math.floor(w / 4);
  const pair = w % 4 === 2;
  mod.func(`pack${w}`, ["i32", "i32", "i32", "i32", "i32", "i32"], null, (f, src, ls, ss, lines, kc, dst) => {
    const l0 = f.local("i32");
    const p = f.local("i32");
    const q = f.local("i32");
    const s = f.local("i32");
    const d = f.local("i32");
    const panelBytes = i32.mul(kc.get(), i32.const(w * 4));
    const full = f.local("i32");
    f.set(full, i32.sub(lines.get(), i32.rem_u(lines.get(), i32.const(w))));
    // Full panels.
    f.for(l0, i32.const(0), full.get(), w, () => {
      f.set(d, i32.add(dst.get(), i32.mul(i32.div_u(l0.get(), i32.const(w)), panelBytes)));
      f.set(s, i32.add(src.get(), i32.mul(l0.get(), ls.get())));
      f.if(
        i32.eq(ls.get(), i32.const(4)),
        () => {
          // Lines adjacent in memory: each step's w values are one or two vectors.
          f.for(p, i32.const(0), kc.get(), 1, () => {
            for (let v = 0; v < quads; v++) f.do(v128.store(d.get(), v128.load(s.get(), 16 * v), 16 * v));
            if (pair) f.do(v128.store64_lane0(d.get(), v128.load64_zero(s.get(), 16 * quads), 16 * quads));
            f.inc(s, ss.get());
            f.inc(d, w * 4);
          });
        },
        () =>
          f.if(
            i32.eq(ss.get(), i32.const(4)),
            () => {
              // Each line contiguous: transpose 4 lines × 4 steps at a time.
              const p4 = f.local("i32");
              f.set(p4, i32.and(kc.get(), i32.const(~3)));
              f.for(p, i32.const(0), p4.get(), 4, () => {
                const line = (r: number) => v128.load(i32.add(s.get(), i32.mul(ls.get(), i32.const(r))));
                for (let g = 0; g < quads; g++) {
                  transpose4(f, [0, 1, 2, 3].map((r) => line(4 * g + r)), i32.add(d.get(), i32.const(16 * g)), w * 4);
                }
                if (pair) interleavePair(f, line(4 * quads), line(4 * quads + 1), d.get(), w * 4, 16 * quads);
                f.inc(s, 16);
                f.inc(d, 16 * w);
              });
              f.for(p, p4.get(), kc.get(), 1, () => {
                for (let r = 0; r < w; r++) {
                  f.do(f32.store(d.get(), f32.load(i32.add(s.get(), i32.mul(ls.get(), i32.const(r)))), 4 * r));
                }
                f.inc(s, 4);
                f.inc(d, 4 * w);
              });
            },
            () => {
              f.for(p, i32.const(0), kc.get(), 1, () => {
                for (let r = 0; r < w; r++) {
                  f.do(f32.store(d.get(), f32.load(i32.add(s.get(), i32.mul(ls.get(), i32.const(r)))), 4 * r));
                }
                f.inc(s, ss.get());
                f.inc(d, 4 * w);
              });
            },
          ),
      );
    });
    // The ragged last panel, padded to w lines: zeros first, then each remaining line copied
    // down its steps (no per-element test: with a 6-wide tile, a batch of 64 rows ends in one,
    // packed for every slice). The padding only feeds outputs that are thrown away, but stale
    // bytes there could be denormals, which slow the multiply-adds.
    f.if(i32.lt_u(full.get(), lines.get()), () => {
      f.set(d, i32.add(dst.get(), i32.mul(i32.div_u(full.get(), i32.const(w)), panelBytes)));
      // Offsets, not addresses, in the loop: its bound is a signed compare, and the heap reaches 4 GiB.
      f.for(q, i32.const(0), panelBytes, 8, () => f.do(f64.store(i32.add(d.get(), q.get()), f64.const(0))));
      f.for(q, full.get(), lines.get(), 1, () => {
        f.set(s, i32.add(src.get(), i32.mul(q.get(), ls.get())));
        f.set(l0, d.get());
        f.for(p, i32.const(0), kc.get(), 1, () => {
          f.do(f32.store(l0.get(), f32.load(s.get())));
          f.inc(s, ss.get());
          f.inc(l0, w * 4);
        });
        f.inc(d, 4);
      });
    });
  });
}
