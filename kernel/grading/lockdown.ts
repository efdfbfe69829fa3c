// Before a submission's first cell runs, the grading worker freezes what the instructor's tests
// rely on, so that code in the submission cannot bend them: JavaScript's built-in objects (a
// patched Promise.prototype.then could turn a failing test into a passing one, a patched
// Object.prototype.toJSON could forge the worker's report), the library's classes and namespaces
// (a patched Tensor.prototype.item, F.sigmoid or check.close), and the process functions that
// would end the run (an exit in an extra cell must not cost the tests that follow it).

/** Intrinsics a test's outcome flows through. */
function intrinsics(): object[] {
  const typedArray = Object.getPrototypeOf(Uint8Array) as object;
  const iterators = [[][Symbol.iterator](), new Map()[Symbol.iterator](), new Set()[Symbol.iterator](), ""[Symbol.iterator](), (function* () {})()].map((it) => Object.getPrototypeOf(it) as object);
  const asyncFunction = Object.getPrototypeOf(async function () {}) as object;
  const generatorFunction = Object.getPrototypeOf(function* () {}) as object;
  return [
    Object, Object.prototype, Function, Function.prototype, Array, Array.prototype, String, String.prototype, Number, Number.prototype,
    Boolean, Boolean.prototype, Symbol, Symbol.prototype, BigInt, BigInt.prototype, Promise, Promise.prototype,
    // Not Error and its prototypes: TypeScript and Node set Error.stackTraceLimit, and errors set
    // their own `name`, which a frozen Error.prototype.name would forbid. A patched error changes
    // how a failure reads, never whether a test failed.
    RegExp, RegExp.prototype, Date, Date.prototype, Map, Map.prototype, Set, Set.prototype, WeakMap.prototype, WeakSet.prototype,
    ArrayBuffer, ArrayBuffer.prototype, SharedArrayBuffer.prototype, DataView.prototype, typedArray, (typedArray as { prototype: object }).prototype,
    ...[Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array].flatMap((t) => [t, t.prototype]),
    Math, JSON, Reflect, Atomics, ...iterators, asyncFunction, generatorFunction, (generatorFunction as { prototype: object }).prototype,
  ];
}

/** Freezes `root` and what hangs off it (functions' prototypes, plain objects, namespaces). */
function deepFreeze(root: unknown, seen = new Set<unknown>()): void {
  if (root === null || (typeof root !== "object" && typeof root !== "function") || seen.has(root)) return;
  // Containers that the library fills while it runs (caches, registries) stay as they are.
  if (root instanceof Map || root instanceof Set || root instanceof WeakMap || ArrayBuffer.isView(root) || root instanceof ArrayBuffer) return;
  seen.add(root);
  for (const key of Reflect.ownKeys(root)) {
    const d = Object.getOwnPropertyDescriptor(root, key);
    if (d && "value" in d) deepFreeze(d.value, seen);
  }
  Object.freeze(root);
}

const forbidden = (what: string) => (): never => {
  throw new Error(`${what} is not allowed while a submission is graded`);
};

/**
 * Freezes the intrinsics and the library, and stops the process functions. `globals` are the
 * names the kernel made global (the library's exports): they become read-only.
 */
export function lockdown(library: Record<string, unknown> | null): void {
  const proc = process as unknown as Record<string, unknown>;
  for (const name of ["exit", "reallyExit", "abort", "kill", "dlopen", "chdir", "setuid", "setgid", "seteuid", "setegid", "setgroups"]) {
    if (typeof proc[name] === "function") Object.defineProperty(process, name, { value: forbidden(`process.${name}`), writable: false, configurable: false });
  }
  if (library) {
    for (const [name, value] of Object.entries(library)) {
      deepFreeze(value);
      const d = Object.getOwnPropertyDescriptor(globalThis, name);
      if (d?.configurable) Object.defineProperty(globalThis, name, { value, writable: false, configurable: false, enumerable: d.enumerable ?? false });
    }
  }
  for (const o of intrinsics()) Object.freeze(o);
}
