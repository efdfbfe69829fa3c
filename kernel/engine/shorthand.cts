import type * as TS from "@tslab/typescript-for-tslab";

/**
 * `{ W1, b1 }` → `{ W1: W1, b1: b1 }` in object literals. tslab's converter rewrites references
 * to earlier cells' names (W1 → exports.W1) but not shorthand properties, which then fail at
 * run time with "W1 is not defined". Spelled out, the value is an ordinary reference and gets
 * rewritten. Only the text after a shorthand on its own line moves, so line numbers hold.
 */
export function expandShorthandProperties(ts: typeof TS, src: string): string {
  if (!mayHaveShorthand(src)) return src;
  const file = ts.createSourceFile("cell.ts", src, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const inserts: { at: number; text: string }[] = [];
  const visit = (node: TS.Node): void => {
    if (ts.isShorthandPropertyAssignment(node) && !node.objectAssignmentInitializer) {
      inserts.push({ at: node.name.getEnd(), text: `: ${node.name.text}` });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  let out = src;
  for (const { at, text } of inserts.sort((a, b) => b.at - a.at)) out = out.slice(0, at) + text + out.slice(at);
  return out;
}

/**
 * False only when the cell cannot hold a shorthand property, which then spares parsing it a
 * second time (0.1 ms of a typed cell's 5–8 here). A shorthand is a name between `{` or `,`
 * and `,` or `}`, with only white space around it unless there are comments, which could sit
 * in between: with a comment the cell is parsed.
 */
export function mayHaveShorthand(src: string): boolean {
  if (!src.includes("{")) return false;
  if (src.includes("/*") || src.includes("//")) return true;
  return /[{,]\s*[\p{ID_Start}$_\\][\p{ID_Continue}$\\\u200c\u200d]*\s*[,}]/u.test(src);
}
