// The names a piece of TypeScript declares at its top level, from a parse and bind of that text
// alone: all that binding needs, and far cheaper than a program.
import type * as TS from "@tslab/typescript-for-tslab";
import type { InternalTs } from "./ts-internal.cjs";

/**
 * Variables, functions, types, classes and imports, unescaped: the binder keys `__z` as `___z`,
 * and these names are written back into code (`export { … }` lines).
 */
export function topLevelNames(ts: InternalTs, fileName: string, text: string): string[] {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  ts.bindSourceFile(file, {});
  const locals = (file as TS.SourceFile & { locals?: Map<TS.__String, unknown> }).locals;
  return locals ? [...locals.keys()].map((name) => ts.unescapeLeadingUnderscores(name)) : [];
}
