// execute_request: run the cell, publish its outputs, then reply.
import { DisplayHandle, type Displays } from "../display/api.js";
import { bundleOf, isPromiseLike, type MimeBundle } from "../display/mime.js";
import type { OutputMessage, Outputs } from "../display/outputs.js";
import { runtimeError, type ErrorContent } from "../exec/errors.js";
import type { Executor, RunResult } from "../exec/executor.js";
import type { Interrupts } from "../exec/interrupt.js";
import type { History } from "../history.js";
import type { Stdin } from "../stdin.js";
import type { JsonObject, MessageHeader } from "../wire/message.js";

export interface ExecuteDeps {
  executor: Executor;
  outputs: Outputs;
  displays: Displays;
  stdin: Stdin;
  interrupts: Interrupts;
  history: History;
  /** Documentation for `name?` / `?name` (a pager payload), or null when there is none. */
  help(expression: string): JsonObject | null;
  /** Publishes an iopub message with the request as parent (execute_input). */
  publish(msgType: string, content: JsonObject): void;
}

export interface ExecuteOutcome {
  reply: JsonObject;
  failed: boolean;
  stopOnError: boolean;
}

/** Settled by the kernel when an exception or rejection escapes the running cell's code. */
export interface Escapes {
  promise: Promise<never>;
}

export class ExecutionCounter {
  value = 0;
}

export async function execute(deps: ExecuteDeps, counter: ExecutionCounter, request: { header: MessageHeader; content: JsonObject; identities: Uint8Array[] }, escapes: Escapes): Promise<ExecuteOutcome> {
  const c = request.content;
  const code = typeof c.code === "string" ? c.code : "";
  const silent = c.silent === true;
  const storeHistory = silent ? false : c.store_history !== false;
  const stopOnError = c.stop_on_error !== false;
  if (storeHistory) counter.value++;
  const count = counter.value;
  const label = silent ? "In[silent]" : `In[${count}]`;

  deps.outputs.parent = request.header;
  deps.displays.newCell();
  deps.stdin.context = { identities: request.identities, parent: request.header, allowed: c.allow_stdin === true };
  deps.interrupts.reset();
  if (!silent) deps.publish("execute_input", { code, execution_count: count });

  const asked = helpRequest(code);
  if (asked !== null) return showHelp(deps, asked, count, stopOnError);

  let result: RunResult;
  try {
    result = await Promise.race([deps.executor.run(code, label), escapes.promise]);
  } catch (escaped) {
    result = { kind: "runtime-error", thrown: escaped };
  }
  if (result.kind !== "compile-error" && result.kind !== "runtime-error") {
    // A promise the cell made and did not await (`check.function(…)` without `await`) that fails
    // right away still fails this cell: one turn of the event loop lets its rejection surface.
    try {
      await Promise.race([new Promise((resolve) => setImmediate(resolve)), escapes.promise]);
    } catch (escaped) {
      result = { kind: "runtime-error", thrown: escaped };
    }
  }

  let error: ErrorContent | null = null;
  let resultText: string | null = null;
  if (result.kind === "compile-error") error = result.error;
  else if (result.kind === "runtime-error") error = runtimeError(result.thrown);
  else if (result.hasValue && !silent && !(result.value instanceof DisplayHandle)) {
    try {
      const bundle = bundleOf(result.value);
      if (!isPromiseLike(bundle)) resultText = String(bundle["text/plain"]);
      deps.outputs.push(resultMessage(bundle, count, (text) => (resultText = text)));
    } catch (thrown) {
      error = runtimeError(thrown);
    }
  }
  if (error && !silent) deps.outputs.push({ msgType: "error", content: { ...error } });

  const userExpressions = error ? {} : await evaluateUserExpressions(deps, c.user_expressions);
  try {
    // An interrupt must not wait for a display that never resolves (e.g. a stuck GPU read);
    // after an interrupted cell this gives up at once.
    await deps.interrupts.race(deps.outputs.drain());
  } catch (interrupted) {
    if (!error) {
      error = runtimeError(interrupted);
      deps.outputs.push({ msgType: "error", content: { ...error } });
    }
  }
  // An output whose async part failed showed its error in its place; the cell failed with it.
  const failedOutput = deps.outputs.failureOf(request.header);
  if (!error && failedOutput) error = runtimeError(failedOutput.error);
  deps.stdin.context = null;
  if (storeHistory) deps.history.add(count, code, resultText);

  const reply: JsonObject = error
    ? { status: "error", execution_count: count, ...error }
    : { status: "ok", execution_count: count, payload: [], user_expressions: userExpressions };
  return { reply, failed: error !== null, stopOnError };
}

/** `tensor?`, `?tensor`, `Math.max??`: the name whose documentation is asked for. */
function helpRequest(code: string): string | null {
  const match = /^\s*\?{1,2}\s*([\w$.]+)\s*$|^\s*([\w$.]+)\s*\?{1,2}\s*$/.exec(code);
  return match ? (match[1] ?? match[2] ?? null) : null;
}

function showHelp(deps: ExecuteDeps, expression: string, count: number, stopOnError: boolean): ExecuteOutcome {
  deps.stdin.context = null;
  const data = deps.help(expression);
  if (!data) {
    const error = { ename: "NameError", evalue: `no documentation for ${expression}`, traceback: [`NameError: TypeScript knows nothing about ${expression}`] };
    deps.outputs.push({ msgType: "error", content: { ...error } });
    return { reply: { status: "error", execution_count: count, ...error }, failed: true, stopOnError };
  }
  // Shown in the pager (JupyterLab: below the cell), like IPython's `name?`.
  return { reply: { status: "ok", execution_count: count, payload: [{ source: "page", data, start: 0 }], user_expressions: {} }, failed: false, stopOnError };
}

function resultMessage(bundle: MimeBundle | Promise<MimeBundle>, count: number, onText: (text: string) => void): OutputMessage | Promise<OutputMessage> {
  const make = (data: MimeBundle): OutputMessage => {
    onText(String(data["text/plain"]));
    return { msgType: "execute_result", content: { execution_count: count, data, metadata: {} } };
  };
  return isPromiseLike(bundle) ? Promise.resolve(bundle).then(make) : make(bundle);
}

/** `user_expressions`: each expression evaluated after the cell, as a bundle or an error. */
async function evaluateUserExpressions(deps: ExecuteDeps, expressions: unknown): Promise<JsonObject> {
  const out: JsonObject = {};
  if (expressions === null || typeof expressions !== "object") return out;
  for (const [key, expression] of Object.entries(expressions as Record<string, unknown>)) {
    if (typeof expression !== "string") continue;
    const result = await deps.executor.run(expression, `user_expressions[${JSON.stringify(key)}]`);
    if (result.kind === "ok") {
      try {
        out[key] = { status: "ok", data: await bundleOf(result.value), metadata: {} };
      } catch (thrown) {
        out[key] = { status: "error", ...runtimeError(thrown) };
      }
    } else {
      out[key] = { status: "error", ...(result.kind === "compile-error" ? result.error : runtimeError(result.thrown)) };
    }
  }
  return out;
}
