import { Bytes } from "./bytes.js";
import { i32, Local, VALTYPE_CODE, type Expr, type I32, type Stmt, type ValType, type Void } from "./expr.js";

/** A branch target; `br` computes the relative depth from where it is used. */
export interface Label {
  readonly level: number;
}

type Locals<P extends readonly ValType[]> = { [K in keyof P]: Local<P[K]> };
type Result<R extends ValType | null> = R extends ValType ? R : Void;

/** Builds one function body: locals, statements and structured control flow. */
export class Fn {
  readonly code = new Bytes();
  private readonly localTypes: ValType[] = [];
  private depth = 0;

  constructor(private readonly paramCount: number) {}

  local<T extends ValType>(type: T): Local<T> {
    this.localTypes.push(type);
    return new Local(this.paramCount + this.localTypes.length - 1, type);
  }

  /** Emits a statement (a store or a call without a result). */
  do(s: Stmt): void {
    s.emit(this.code);
  }

  drop(e: Expr<ValType>): void {
    e.emit(this.code);
    this.code.byte(0x1a);
  }

  set<T extends ValType>(l: Local<T>, e: Expr<T>): void {
    e.emit(this.code);
    this.code.byte(0x21).u32(l.index);
  }

  /** l += step (i32). */
  inc(l: Local<"i32">, step: number | I32): void {
    this.set(l, i32.add(l.get(), typeof step === "number" ? i32.const(step) : step));
  }

  ret(e?: Expr<ValType>): void {
    e?.emit(this.code);
    this.code.byte(0x0f);
  }

  block(body: (exit: Label) => void): void {
    this.code.byte(0x02).byte(0x40);
    this.nest(body);
  }

  loop(body: (again: Label) => void): void {
    this.code.byte(0x03).byte(0x40);
    this.nest(body);
  }

  if(cond: I32, then: () => void, otherwise?: () => void): void {
    cond.emit(this.code);
    this.code.byte(0x04).byte(0x40);
    this.depth++;
    then();
    if (otherwise) {
      this.code.byte(0x05);
      otherwise();
    }
    this.depth--;
    this.code.byte(0x0b);
  }

  br(label: Label): void {
    this.code.byte(0x0c).u32(this.depth - label.level);
  }

  brIf(label: Label, cond: I32): void {
    cond.emit(this.code);
    this.code.byte(0x0d).u32(this.depth - label.level);
  }

  /** for (i = from; i < to; i += step) body — skipped entirely when from ≥ to (signed compare). */
  for(i: Local<"i32">, from: I32, to: I32, step: number, body: () => void): void {
    this.set(i, from);
    this.block((exit) => {
      this.brIf(exit, i32.ge_s(i.get(), to));
      this.loop((again) => {
        body();
        this.inc(i, step);
        this.brIf(again, i32.lt_s(i.get(), to));
      });
    });
  }

  /** Encoded body: local declarations (run-length by type), code, end. */
  encode(): Bytes {
    const out = new Bytes();
    const runs: [number, ValType][] = [];
    for (const t of this.localTypes) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    out.u32(runs.length);
    for (const [n, t] of runs) out.u32(n).byte(VALTYPE_CODE[t]);
    out.bytes(this.code.view());
    out.byte(0x0b);
    return out;
  }

  private nest(body: (l: Label) => void): void {
    this.depth++;
    body({ level: this.depth });
    this.depth--;
    this.code.byte(0x0b);
  }
}

export interface FuncRef<P extends readonly ValType[], R extends ValType | null> {
  readonly index: number;
  readonly params: P;
  readonly result: R;
}

interface FuncDef {
  readonly name: string | null;
  readonly typeIndex: number;
  readonly fn: Fn;
}

/**
 * A Wasm module with one imported memory (`env.memory`) and functions defined in order.
 * Only the sections the kernels need are written: type, import, function, export, code.
 */
export class ModuleBuilder {
  private readonly types: string[] = [];
  private readonly funcs: FuncDef[] = [];

  constructor(private readonly memory: { min: number; max: number; shared: boolean }) {}

  func<const P extends readonly ValType[], const R extends ValType | null>(
    name: string | null, params: P, result: R, body: (f: Fn, ...args: Locals<P>) => void,
  ): FuncRef<P, R> {
    const sig = params.join(",") + "->" + (result ?? "");
    let typeIndex = this.types.indexOf(sig);
    if (typeIndex < 0) typeIndex = this.types.push(sig) - 1;
    const fn = new Fn(params.length);
    const args = params.map((t, i) => new Local(i, t)) as unknown as Locals<P>;
    body(fn, ...args);
    this.funcs.push({ name, typeIndex, fn });
    return { index: this.funcs.length - 1, params, result };
  }

  toBytes(): Uint8Array {
    const out = new Bytes().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const section = (id: number, fill: (s: Bytes) => void) => {
      const s = new Bytes();
      fill(s);
      out.byte(id).vec(s);
    };
    section(1, (s) => {
      s.u32(this.types.length);
      for (const sig of this.types) {
        const [ps, r] = sig.split("->") as [string, string];
        const params = ps ? (ps.split(",") as ValType[]) : [];
        s.byte(0x60).u32(params.length);
        for (const p of params) s.byte(VALTYPE_CODE[p]);
        if (r) s.u32(1).byte(VALTYPE_CODE[r as ValType]);
        else s.u32(0);
      }
    });
    section(2, (s) => {
      const { min, max, shared } = this.memory;
      s.u32(1).name("env").name("memory").byte(0x02).byte(shared ? 0x03 : 0x01).u32(min).u32(max);
    });
    section(3, (s) => {
      s.u32(this.funcs.length);
      for (const f of this.funcs) s.u32(f.typeIndex);
    });
    section(7, (s) => {
      const exported = this.funcs.map((f, i) => [f.name, i] as const).filter(([n]) => n !== null);
      s.u32(exported.length);
      for (const [n, i] of exported) s.name(n!).byte(0x00).u32(i);
    });
    section(10, (s) => {
      s.u32(this.funcs.length);
      for (const f of this.funcs) s.vec(f.fn.encode());
    });
    return out.view().slice();
  }
}

/** A call expression; functions without a result give a statement. */
export function call<P extends readonly ValType[], R extends ValType | null>(
  f: FuncRef<P, R>, ...args: { [K in keyof P]: Expr<P[K]> }
): Expr<Result<R>> {
  const type = (f.result ?? "none") as Result<R>;
  return {
    type,
    emit(b) {
      for (const a of args as readonly Expr<ValType>[]) a.emit(b);
      b.byte(0x10).u32(f.index);
    },
  };
}
