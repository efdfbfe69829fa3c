// Error outputs that teach: the cell line and column, the code with a caret under it, and no
// kernel internals. Content follows the `error` message / error reply of the protocol.
import { inspect } from "node:util";
import type { ConverterDiagnostic } from "../engine/tslab-types.cjs";
import { isInterrupt } from "./interrupt.js";
import { framesOfError } from "./stack.js";

export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
  [key: string]: unknown;
}

const DIAGNOSTIC_ERROR = 1;

// Students coming from Python notebooks type `%timeit …` or `!pip install …`; TypeScript then
// says only "Expression expected" or "Cannot find name 'pip'".
const IPYTHON_SYNTAX = /^\s*(%{1,2}[A-Za-z]\w*|!\s*[A-Za-z.\/~])/;
const IPYTHON_HINT =
  "Hint: cells are TypeScript, so IPython's magics (%timeit) and shell escapes (!ls) do not exist here. " +
  "Time code with console.time(\"label\") / console.timeEnd(\"label\"); run a command with " +
  '(await import("node:child_process")).execSync("ls", { encoding: "utf8" }).';

export function hasErrors(diagnostics: readonly ConverterDiagnostic[]): boolean {
  return diagnostics.some((d) => d.category === DIAGNOSTIC_ERROR);
}

/** TypeScript errors of a cell (or of a local file it imports). */
export function compileError(diagnostics: readonly ConverterDiagnostic[], code: string, label: string): ErrorContent {
  const errors = diagnostics.filter((d) => d.category === DIAGNOSTIC_ERROR);
  const traceback: string[] = [];
  let previous: ConverterDiagnostic | null = null;
  for (const d of errors) {
    const samePlace = previous !== null && previous.start.offset === d.start.offset && previous.end.offset === d.end.offset && previous.fileName === d.fileName;
    if (samePlace) {
      // The converter flattens a message chain into entries at the same place: details.
      traceback.push(`    ${d.messageText}`);
    } else {
      if (previous) traceback.push("");
      const where = d.fileName ? d.fileName : label;
      traceback.push(`${where}, line ${d.start.line + 1}, column ${d.start.character + 1}: error TS${d.code}: ${d.messageText}`);
      if (!d.fileName) traceback.push(...excerpt(code, d.start.line, d.start.character, d.end.line === d.start.line ? d.end.character : null));
    }
    previous = d;
  }
  const first = errors[0];
  if (first && !first.fileName && IPYTHON_SYNTAX.test(code.split(/\r?\n/)[first.start.line] ?? "")) traceback.push("", IPYTHON_HINT);
  const more = errors.length > 1 ? ` (and ${countPlaces(errors) - 1} more)` : "";
  return {
    ename: "TSError",
    evalue: first ? `${first.messageText} [${first.fileName ?? label}, line ${first.start.line + 1}]${more}` : "type error",
    traceback,
  };
}

function countPlaces(errors: readonly ConverterDiagnostic[]): number {
  return new Set(errors.map((d) => `${d.fileName ?? ""}:${d.start.offset}:${d.end.offset}`)).size;
}

/** Shows the line with its neighbour above and a caret (or tildes) under the span. */
export function excerpt(code: string, line0: number, column0: number, endColumn0: number | null): string[] {
  const lines = code.split(/\r?\n/);
  const width = String(line0 + 1).length;
  const out: string[] = [];
  for (let i = Math.max(0, line0 - 1); i <= line0 && i < lines.length; i++) {
    const marker = i === line0 ? ">" : " ";
    out.push(`${marker} ${String(i + 1).padStart(width)} | ${lines[i]}`);
  }
  const lineText = lines[line0] ?? "";
  const span = endColumn0 !== null && endColumn0 > column0 ? Math.min(endColumn0, lineText.length) - column0 : 1;
  // Tabs keep their width so the caret stays under the code.
  const pad = lineText.slice(0, column0).replace(/[^\t]/g, " ");
  out.push(`  ${" ".repeat(width)} | ${pad}${"^".repeat(Math.max(1, span))}`);
  return out;
}

/** A value thrown by a cell, or a rejection / exception that escaped it. */
export function runtimeError(thrown: unknown): ErrorContent {
  if (isInterrupt(thrown)) {
    return {
      ename: "InterruptError",
      evalue: "the cell was interrupted",
      traceback: ["InterruptError: the cell was interrupted; variables keep the values they had when it stopped"],
    };
  }
  if (!(thrown instanceof Error)) {
    const shown = inspect(thrown, { colors: false, depth: 4 });
    return { ename: "Uncaught", evalue: shown, traceback: [`Uncaught ${shown} (a value that is not an Error was thrown, so there is no stack trace)`] };
  }
  const frames = framesOfError(thrown);
  const headline = safeHeader(thrown);
  const traceback = [headline];
  if (frames) {
    for (const frame of frames) if (!frame.kernel) traceback.push(`    at ${frame.text}`);
    const innermost = frames.find((f) => f.cell);
    if (innermost?.cell) {
      const { compiled, position } = innermost.cell;
      traceback.push("", `${compiled.label}, line ${position.line}:`);
      traceback.push(...excerpt(compiled.code, position.line - 1, position.column - 1, null));
    }
  } else if (typeof thrown.stack === "string") {
    traceback.push(...thrown.stack.split("\n").slice(1));
  }
  const cause = (thrown as { cause?: unknown }).cause;
  if (cause !== undefined) traceback.push("", `Caused by: ${cause instanceof Error ? safeHeader(cause) : inspect(cause, { colors: false })}`);
  return { ename: errorName(thrown), evalue: thrown.message, traceback };
}

function errorName(error: Error): string {
  const name = typeof error.name === "string" && error.name !== "" ? error.name : error.constructor?.name;
  return name || "Error";
}

function safeHeader(error: Error): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return "Error";
  }
}
