// is_complete: TypeScript's parser decides whether a console input is finished ("complete"),
// needs more lines ("incomplete": the only errors are things missing at the very end), or can
// never be valid ("invalid": an error before the end).
import type * as TS from "@tslab/typescript-for-tslab";
import type { ConverterModule } from "./tslab-types.cjs";

export type Completeness = { status: "complete" } | { status: "incomplete"; indent: string } | { status: "invalid" };

// Unterminated template literal / multi-line comment: more lines can still close them.
const CONTINUABLE = new Set([1160, 1010]);

export function isComplete(ts: typeof TS, converter: ConverterModule, code: string): Completeness {
  if (code.trim() === "") return { status: "complete" };
  const file = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const diagnostics = (file as TS.SourceFile & { parseDiagnostics?: readonly TS.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  if (diagnostics.length === 0) return { status: "complete" };
  const end = code.trimEnd().length;
  const onlyAtEnd = diagnostics.every((d) => d.start >= end || CONTINUABLE.has(d.code));
  if (!onlyAtEnd) return { status: "invalid" };
  return { status: "incomplete", indent: converter.isCompleteCode(code).indent ?? "" };
}
