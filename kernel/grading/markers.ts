import { sourceOf, type Cell } from "../notebook/nbformat.js";

export const BEGIN = "// BEGIN SOLUTION";
export const END = "// END SOLUTION";
export const HIDDEN = "// HIDDEN TESTS";
export const STUB = "// YOUR CODE HERE";

export interface GradeInfo {
  name: string;
  points: number;
}

/** A graded test cell's name and points, from its `gradlab.grade` metadata. */
export function gradeInfo(cell: Cell, index: number): GradeInfo | null {
  const g = (cell.metadata?.["gradlab"] as { grade?: boolean; points?: number; name?: string } | undefined) ?? undefined;
  if (!g?.grade) return null;
  const points = typeof g.points === "number" && g.points > 0 ? g.points : 1;
  return { name: g.name ?? `test in cell ${index + 1}`, points };
}

/** How a cell is matched between the source and a submission: its id, or its position in the source. */
export function cellKey(cell: Cell, sourceIndex: number): string {
  return cell.id ?? `gradlab-cell-${sourceIndex}`;
}

export function isHidden(cell: Cell): boolean {
  return cell.cell_type === "code" && sourceOf(cell).trimStart().startsWith(HIDDEN);
}

/**
 * Replaces each BEGIN/END SOLUTION region by a stub at the same indentation that throws a
 * clear error until the student writes their code. Unbalanced markers are an error.
 */
export function stripSolutions(source: string, where: string): string {
  const lines = source.split("\n");
  const out: string[] = [];
  let inside = false;
  for (const [i, line] of lines.entries()) {
    const t = line.trim();
    if (t === BEGIN) {
      if (inside) throw new Error(`${where}: line ${i + 1}: ${BEGIN} inside another solution`);
      inside = true;
      const indent = line.slice(0, line.length - line.trimStart().length);
      out.push(`${indent}${STUB}`);
      out.push(`${indent}throw new Error("not implemented yet: replace the ${STUB} stub with your solution");`);
    } else if (t === END) {
      if (!inside) throw new Error(`${where}: line ${i + 1}: ${END} without ${BEGIN}`);
      inside = false;
    } else if (!inside) out.push(line);
  }
  if (inside) throw new Error(`${where}: ${BEGIN} is never closed with ${END}`);
  return out.join("\n");
}
