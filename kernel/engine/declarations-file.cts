// tslab's converter keeps every earlier cell's declarations in one file (`__prev__.d.ts`) that
// it re-reads twice per cell and then reprints after pruning shadowed names, editing that
// file's tree in place. With hundreds of cells this dominates and grows. Here:
// - the parsed file is reused as long as its text is the same (within a cell, and across cells
//   that declare nothing new), its in-place edits undone after each converter call;
// - a changed text is parsed incrementally from the previous tree: a cell's new declarations
//   come first and the earlier ones follow unchanged, so only the new part is really parsed and
//   a cell's cost does not grow with the notebook;
// - reprinting copies the text of statements the converter did not edit.
import type * as TS from "@tslab/typescript-for-tslab";
import type { InternalTs } from "./ts-internal.cjs";

interface Pristine {
  statements: TS.NodeArray<TS.Statement>;
  /** Each variable statement's declarations, and each import's clause parts, as parsed. */
  variableLists: Map<TS.VariableDeclarationList, TS.NodeArray<TS.VariableDeclaration>>;
  imports: Map<TS.ImportClause, { name: TS.Identifier | undefined; bindings: TS.NamedImportBindings | undefined; elements: TS.NodeArray<TS.ImportSpecifier> | undefined }>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class DeclarationsFile {
  private cached: { text: string; file: TS.SourceFile } | null = null;
  private readonly pristine = new WeakMap<TS.SourceFile, Pristine>();

  constructor(readonly path: string) {}

  /**
   * The parsed file for `text`: the same one while the text is the same, else an incremental
   * parse of the previous tree (which that consumes), or `parse` for the first one.
   */
  get(ts: InternalTs, text: string | undefined, parse: () => TS.SourceFile | undefined): TS.SourceFile | undefined {
    if (text !== undefined && this.cached?.text === text) return this.cached.file;
    // The previous tree has its pristine statements back (restore() runs after every converter call).
    const previous = this.cached?.file;
    const file = text !== undefined && previous ? reparse(ts, previous, text) : parse();
    if (file && text !== undefined) {
      this.cached = { text, file };
      this.pristine.set(file, record(file));
    }
    return file;
  }

  /** Undoes the converter's in-place edits, so the tree matches its text again. */
  restore(): void {
    const file = this.cached?.file;
    const saved = file && this.pristine.get(file);
    if (!file || !saved) return;
    (file as Mutable<TS.SourceFile>).statements = saved.statements;
    for (const [list, declarations] of saved.variableLists) (list as Mutable<TS.VariableDeclarationList>).declarations = declarations;
    for (const [clause, parts] of saved.imports) {
      const mutable = clause as Mutable<TS.ImportClause>;
      mutable.name = parts.name;
      mutable.namedBindings = parts.bindings;
      if (parts.bindings && parts.elements) (parts.bindings as Mutable<TS.NamedImports>).elements = parts.elements;
    }
  }

  /**
   * printFile for the pruned declarations file: statements the converter left untouched are
   * copied from the text (they were printed by the same printer before), the others printed.
   */
  print(ts: InternalTs, file: TS.SourceFile, printer: TS.Printer): string | null {
    const saved = this.pristine.get(file);
    if (!saved) return null;
    const out: string[] = [];
    for (const statement of file.statements) {
      if (untouched(ts, statement, saved)) out.push(file.text.slice(statement.pos, statement.end).replace(/^[\r\n]+/, ""));
      else out.push(printer.printNode(ts.EmitHint.Unspecified, statement, file));
    }
    return out.length === 0 ? "" : out.join("\n") + "\n";
  }
}

/** An incremental parse, as TypeScript's language service does for an edited file. */
function reparse(ts: InternalTs, previous: TS.SourceFile, text: string): TS.SourceFile {
  // The parser checks that the file's new range fits in its parent's, so the file's link to the
  // frozen declarations below it (see declaration-chunks.cts) is undone; it is set again once
  // the program is built.
  (previous as { parent?: TS.Node }).parent = undefined;
  const change = textChange(previous.text, text);
  return ts.updateSourceFile(previous, text, ts.createTextChangeRange(ts.createTextSpan(change.start, change.oldLength), change.newLength));
}

/**
 * The one edit that turns `before` into `after`. The common end is taken first and whole: a
 * cell's declarations go in before the earlier ones, and TypeScript reuses an earlier statement
 * only if the edit ends before the statement's leading line break, which the end shares.
 */
function textChange(before: string, after: string): { start: number; oldLength: number; newLength: number } {
  const most = Math.min(before.length, after.length);
  let end = 0;
  while (end < most && before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)) end++;
  let start = 0;
  while (start < most - end && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  return { start, oldLength: before.length - start - end, newLength: after.length - start - end };
}

function record(file: TS.SourceFile): Pristine {
  const variableLists = new Map<TS.VariableDeclarationList, TS.NodeArray<TS.VariableDeclaration>>();
  const imports: Pristine["imports"] = new Map();
  for (const statement of file.statements) {
    const s = statement as TS.Statement & { declarationList?: TS.VariableDeclarationList; importClause?: TS.ImportClause };
    if (s.declarationList) variableLists.set(s.declarationList, s.declarationList.declarations);
    const clause = s.importClause;
    if (clause) {
      const bindings = clause.namedBindings;
      imports.set(clause, { name: clause.name, bindings, elements: bindings && "elements" in bindings ? bindings.elements : undefined });
    }
  }
  return { statements: file.statements, variableLists, imports };
}

function untouched(ts: InternalTs, statement: TS.Statement, saved: Pristine): boolean {
  if (ts.isVariableStatement(statement)) {
    // The converter always installs a new array; it is an edit only if a declaration was dropped.
    const before = saved.variableLists.get(statement.declarationList);
    const now = statement.declarationList.declarations;
    return before !== undefined && before.length === now.length && before.every((d, i) => d === now[i]);
  }
  // Imports are few; printing them is simpler than comparing clause parts.
  if (ts.isImportDeclaration(statement)) return false;
  return true;
}
