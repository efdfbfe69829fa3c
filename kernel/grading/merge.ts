import { sourceOf, type Cell, type Notebook } from "../notebook/nbformat.js";
import { cellKey, gradeInfo, isHidden } from "./markers.js";

export interface GradedCell {
  /** Index of the cell in the merged notebook. */
  index: number;
  name: string;
  points: number;
  hidden: boolean;
}

/**
 * The notebook to grade: the student's cells in their order, with every test cell (visible and
 * hidden) taken from the instructor's source, so editing or deleting a test changes nothing.
 * Student cells are matched to source cells by id; cells the student added stay where they are.
 */
export function mergeForGrading(source: Notebook, submission: Notebook): { notebook: Notebook; graded: GradedCell[] } {
  const sourceKeys = source.cells.map((c, i) => cellKey(c, i));
  const submitted = new Map<string, Cell>();
  for (const c of submission.cells) if (c.id) submitted.set(c.id, c);

  const cells: Cell[] = [];
  const graded: GradedCell[] = [];
  const used = new Set<string>();
  // Student cells that have no source counterpart, keyed by the source cell they follow.
  const extrasAfter = new Map<string, Cell[]>();
  let lastKnown = "";
  for (const c of submission.cells) {
    if (c.id && sourceKeys.includes(c.id)) lastKnown = c.id;
    else {
      const list = extrasAfter.get(lastKnown) ?? [];
      list.push(c);
      extrasAfter.set(lastKnown, list);
    }
  }
  const pushExtras = (key: string) => {
    for (const c of extrasAfter.get(key) ?? []) cells.push(structuredClone(c));
  };
  pushExtras("");
  source.cells.forEach((src, i) => {
    const key = sourceKeys[i]!;
    const info = gradeInfo(src, i);
    if (info || isHidden(src)) {
      // Tests always come from the source.
      cells.push({ ...structuredClone(src), id: key, outputs: [], execution_count: null });
      if (info) graded.push({ index: cells.length - 1, name: info.name, points: info.points, hidden: isHidden(src) });
    } else if (submitted.has(key)) {
      cells.push(structuredClone(submitted.get(key)!));
      used.add(key);
    }
    pushExtras(key);
  });
  return { notebook: { ...structuredClone(submission), cells }, graded };
}

export function describeCell(c: Cell): string {
  const first = sourceOf(c).split("\n").find((l) => l.trim()) ?? "";
  return first.length > 60 ? first.slice(0, 57) + "…" : first;
}
