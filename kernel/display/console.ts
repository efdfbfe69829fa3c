// The `console` and `process.stdout`/`stderr` that cells see: everything goes to the cell's
// `stream` outputs, colourless, and displayable values (tensors) print their values even when
// reading them is async.
import { formatWithOptions, inspect } from "node:util";
import { logText } from "./mime.js";
import type { Outputs } from "./outputs.js";

type StreamName = "stdout" | "stderr";

/** Formats like console.log, with displayable values replaced by their text/plain. */
export function formatLog(args: readonly unknown[]): string | Promise<string> {
  const texts = args.map((arg) => (typeof arg === "object" || typeof arg === "function" ? logText(arg) : null));
  const format = (resolved: (string | null)[]): string =>
    formatWithOptions(
      { colors: false },
      ...args.map((arg, i) => {
        const text = resolved[i];
        // A string would be taken as a format string by formatWithOptions if it came first.
        return text === null || text === undefined ? arg : { [inspect.custom]: () => text };
      }),
    ) + "\n";
  if (texts.some((t) => t !== null && typeof t !== "string")) return Promise.all(texts).then(format);
  return format(texts as (string | null)[]);
}

/**
 * The cells' console: Node's own for table, group, time, count, trace, … (it writes to
 * process.stdout/stderr, which captureProcessStreams routes to the cell) with log, info, debug,
 * error and warn replaced so that tensors print their values. (A process restored from a
 * start-up snapshot has no `Console` constructor, so the global console is extended instead.)
 */
export function createCellConsole(outputs: Outputs, base: Console = globalThis.console): Console {
  const console = Object.create(base) as Console;
  const to = (name: StreamName) => (...args: unknown[]): void => outputs.stream(name, formatLog(args));
  console.log = to("stdout");
  console.info = to("stdout");
  console.debug = to("stdout");
  console.error = to("stderr");
  console.warn = to("stderr");
  return console;
}

/** Routes writes to the process's stdout/stderr (by libraries, or `process.stdout.write`) into the cell. */
export function captureProcessStreams(outputs: Outputs): void {
  for (const name of ["stdout", "stderr"] as const) {
    const stream = process[name];
    // Node's console colours its output for terminals; a cell is never one.
    Object.defineProperty(stream, "isTTY", { value: false, configurable: true });
    stream.write = ((chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean => {
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encodingOrCallback === "string" ? (encodingOrCallback as BufferEncoding) : "utf8");
      outputs.stream(name, text);
      const done = typeof encodingOrCallback === "function" ? encodingOrCallback : callback;
      if (typeof done === "function") queueMicrotask(() => (done as () => void)());
      return true;
    }) as typeof stream.write;
  }
}
