import type * as TS from "@tslab/typescript-for-tslab";

/**
 * `{ W1, b1 }` → `{ W1: W1, b1: b1 }` in object literals. tslab's converter rewrites references
 * to earlier cells' names (W1 → exports.W1) but not shorthand properties, which then fail at
 * run time with "W1 is not defined". Spelled out, the value is an ordinary reference and gets
 * rewritten. Only the text after a shorthand on its own line moves, so line numbers hold.
 */
export function expandShorthandProperties(ts: typeof TS, src: string): string {
  if (!src.includes("{")) return src;
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
