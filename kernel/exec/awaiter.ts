// The `__awaiter` that cells' async functions use once compiled to generators (see
// engine/interruptible.cts): every resumption runs guarded, so an interrupt can stop a loop
// after an `await`, and work left over from an interrupted cell stops at its next `await`.
import { guarded } from "./guard.js";
import { InterruptError, type Interrupts } from "./interrupt.js";

type Body = (this: unknown, ...args: unknown[]) => Generator<unknown, unknown, unknown>;

export function createAwaiter(interrupts: Interrupts) {
  return function __awaiter(thisArg: unknown, args: ArrayLike<unknown> | undefined, _promise: unknown, body: Body): Promise<unknown> {
    const epoch = interrupts.currentEpoch();
    return new Promise((resolve, reject) => {
      let generator: Generator<unknown, unknown, unknown> | null = null;
      const step = (method: "next" | "throw", value: unknown): void => {
        let result: IteratorResult<unknown, unknown>;
        try {
          if (interrupts.isCancelled(epoch)) {
            method = "throw";
            value = new InterruptError();
          }
          result = guarded(() => {
            generator ??= body.apply(thisArg, Array.from(args ?? []));
            return method === "next" ? generator.next(value) : generator.throw(value);
          });
        } catch (error) {
          reject(error);
          return;
        }
        if (result.done) resolve(result.value);
        else Promise.resolve(result.value).then((v) => step("next", v), (e: unknown) => step("throw", e));
      };
      step("next", undefined);
    });
  };
}
