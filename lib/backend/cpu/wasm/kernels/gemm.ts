import { f32, f32x4, i32, select, v128, type I32, type Local, type V128 } from "../emit/expr.js";
import { call, type ModuleBuilder } from "../emit/module.js";

/** Register tile of the micro-kernel: MR rows × NR columns of C stay in v128 locals. */
export interface GemmShape {
  readonly MR: number;
  readonly NR: number;
  /** k-loop unroll factor (1 measured best: 2 and 4 made V8 spill accumulators, −15 to −30%). */
  readonly KU: number;
  /** Multiply-add in one instruction (relaxed SIMD's f32x4.relaxed_madd, an FMA on x64 and ARM). */
  readonly fma?: boolean;
}

/** Rows of the tail kernel a taller tile also emits. */
const TAIL_ROWS = 4;

/**
 * Emits the GEMM kernels over packed panels (BLIS layout):
 *  - Ap: MR-row micro-panels, each kc × MR floats (column p of the panel is contiguous),
 *  - Bp: NR-column micro-panels, each kc × NR floats (row p of the panel is contiguous).
 * `gemm_micro<MR>` computes one MR×NR tile of C: per step of k it loads NR/4 vectors of B,
 * broadcasts each of the MR values of A (a load-splat), and updates MR·NR/4 accumulators with
 * a fused multiply-add where relaxed SIMD is there (Node 20 has it behind a flag, see
 * features.ts), else a multiply and an add. The accumulators never leave registers: 12 for
 * 6×8, 8 for 4×8, within the 15 xmm registers V8 allocates on x64. A 6-row tile also gets
 * `gemm_micro4` for a last row of tiles 4 rows high.
 * `gemm_macro` walks a block of tiles column panel by column panel, so one B panel stays in
 * L1 while the A block streams past it.
 */
export function emitGemm(mod: ModuleBuilder, { MR, NR, KU, fma = false }: GemmShape): void {
  const NV = NR / 4;
  // C[rows×NR] (= or +=) Ap · Bp for the first `rows` lines of MR-wide A panels; ldc in bytes.
  const microFor = (rows: number) => mod.func(`gemm_micro${rows}`, ["i32", "i32", "i32", "i32", "i32", "i32"], null, (f, ap, bp, c, kc, ldc, accumulate) => {
    const acc: Local<"v128">[][] = [];
    for (let r = 0; r < rows; r++) {
      acc.push([]);
      for (let v = 0; v < NV; v++) {
        const l = f.local("v128");
        f.set(l, v128.zero());
        acc[r]!.push(l);
      }
    }
    const bv = Array.from({ length: NV }, () => f.local("v128"));
    const a = f.local("v128");
    const steps = (u: number) => {
      for (let v = 0; v < NV; v++) f.set(bv[v]!, v128.load(bp.get(), (u * NR + v * 4) * 4));
      for (let r = 0; r < rows; r++) {
        f.set(a, v128.load32_splat(ap.get(), (u * MR + r) * 4));
        for (let v = 0; v < NV; v++) {
          const sum = fma ? f32x4.relaxed_madd(a.get(), bv[v]!.get(), acc[r]![v]!.get()) : f32x4.add(acc[r]![v]!.get(), f32x4.mul(a.get(), bv[v]!.get()));
          f.set(acc[r]![v]!, sum);
        }
      }
    };
    const main = f.local("i32");
    f.set(main, i32.shr_u(kc.get(), i32.const(Math.log2(KU))));
    f.block((done) => {
      f.brIf(done, i32.eqz(main.get()));
      f.loop((again) => {
        for (let u = 0; u < KU; u++) steps(u);
        f.inc(ap, MR * 4 * KU);
        f.inc(bp, NR * 4 * KU);
        f.set(main, i32.sub(main.get(), i32.const(1)));
        f.brIf(again, main.get());
      });
    });
    const rest = f.local("i32");
    f.set(rest, i32.and(kc.get(), i32.const(KU - 1)));
    f.block((done) => {
      f.brIf(done, i32.eqz(rest.get()));
      f.loop((again) => {
        steps(0);
        f.inc(ap, MR * 4);
        f.inc(bp, NR * 4);
        f.set(rest, i32.sub(rest.get(), i32.const(1)));
        f.brIf(again, rest.get());
      });
    });
    const row = (r: number): I32 => (r === 0 ? c.get() : i32.add(c.get(), i32.mul(ldc.get(), i32.const(r))));
    const out = (r: number, v: number, val: V128) => f.do(v128.store(row(r), val, v * 16));
    f.if(
      accumulate.get(),
      () => {
        for (let r = 0; r < rows; r++) for (let v = 0; v < NV; v++) out(r, v, f32x4.add(v128.load(row(r), v * 16), acc[r]![v]!.get()));
      },
      () => {
        for (let r = 0; r < rows; r++) for (let v = 0; v < NV; v++) out(r, v, acc[r]![v]!.get());
      },
    );
  });
  const micro = microFor(MR);
  // A 6-row tile's last row of tiles often has 4 rows (a batch of 64 or 100, 784 features):
  // a 4-row kernel over the same panels computes them straight into C, with no wasted rows.
  const tail = MR > TAIL_ROWS ? microFor(TAIL_ROWS) : null;

  // Tiles of a block: rows [0,m) × cols [0,n) of C; ragged edge tiles go through `tmp` (MR×NR floats).
  mod.func(
    "gemm_macro",
    ["i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32"],
    null,
    (f, ap, bp, c, m, n, kc, ldc, accumulate, tmp) => {
      const i0 = f.local("i32");
      const j0 = f.local("i32");
      const r = f.local("i32");
      const q = f.local("i32");
      const rows = f.local("i32");
      const cols = f.local("i32");
      const cp = f.local("i32");
      const panelA = i32.mul(kc.get(), i32.const(MR * 4));
      const panelB = i32.mul(kc.get(), i32.const(NR * 4));
      f.for(j0, i32.const(0), n.get(), NR, () => {
        f.for(i0, i32.const(0), m.get(), MR, () => {
          const apTile = i32.add(ap.get(), i32.mul(i32.div_u(i0.get(), i32.const(MR)), panelA));
          const bpTile = i32.add(bp.get(), i32.mul(i32.div_u(j0.get(), i32.const(NR)), panelB));
          f.set(cp, i32.add(c.get(), i32.add(i32.mul(i0.get(), ldc.get()), i32.shl(j0.get(), i32.const(2)))));
          f.set(rows, i32.sub(m.get(), i0.get()));
          f.set(rows, select(i32.const(MR), rows.get(), i32.ge_s(rows.get(), i32.const(MR))));
          f.set(cols, i32.sub(n.get(), j0.get()));
          f.set(cols, select(i32.const(NR), cols.get(), i32.ge_s(cols.get(), i32.const(NR))));
          const ragged = () => {
            f.do(call(micro, apTile, bpTile, tmp.get(), kc.get(), i32.const(NR * 4), i32.const(0)));
            f.for(r, i32.const(0), rows.get(), 1, () => {
              f.for(q, i32.const(0), cols.get(), 1, () => {
                const src = f32.load(i32.add(tmp.get(), i32.shl(i32.add(i32.mul(r.get(), i32.const(NR)), q.get()), i32.const(2))));
                const dst = i32.add(cp.get(), i32.add(i32.mul(r.get(), ldc.get()), i32.shl(q.get(), i32.const(2))));
                f.if(
                  accumulate.get(),
                  () => f.do(f32.store(dst, f32.add(f32.load(dst), src))),
                  () => f.do(f32.store(dst, src)),
                );
              });
            });
          };
          f.if(
            i32.and(i32.eq(rows.get(), i32.const(MR)), i32.eq(cols.get(), i32.const(NR))),
            () => f.do(call(micro, apTile, bpTile, cp.get(), kc.get(), ldc.get(), accumulate.get())),
            tail
              ? () =>
                  f.if(
                    i32.and(i32.eq(rows.get(), i32.const(TAIL_ROWS)), i32.eq(cols.get(), i32.const(NR))),
                    () => f.do(call(tail, apTile, bpTile, cp.get(), kc.get(), ldc.get(), accumulate.get())),
                    ragged,
                  )
              : ragged,
          );
        });
      });
    },
  );
}
