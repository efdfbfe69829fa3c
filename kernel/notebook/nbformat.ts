import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { randomUUID } from "node:crypto";

/** The parts of nbformat 4 that gradlab reads and writes. */
export interface Cell {
  id?: string;
  cell_type: "code" | "markdown" | "raw";
  source: string | string[];
  metadata: Record<string, unknown>;
  outputs?: Record<string, unknown>[];
  execution_count?: number | null;
}

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

export class NotebookError extends Error {
  override name = "NotebookError";
}

export function sourceOf(cell: Cell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

/** nbformat stores source as lines that keep their "\n" (all but the last). */
export function toSourceLines(text: string): string[] {
  const lines = text.split("\n");
  return lines.map((l, i) => (i < lines.length - 1 ? l + "\n" : l)).filter((l, i, a) => !(i === a.length - 1 && l === ""));
}

/** Reads and checks a notebook; each problem is an error that names the file. */
export function readNotebook(path: string): Notebook {
  if (!existsSync(path)) throw new NotebookError(`${path}: no such file`);
  if (statSync(path).isDirectory()) throw new NotebookError(`${path}: is a folder, not a notebook`);
  let nb: unknown;
  try {
    nb = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new NotebookError(`${path}: not a notebook (not valid JSON: ${(e as Error).message})`);
  }
  const n = nb as Partial<Notebook>;
  if (!n || typeof n !== "object" || !Array.isArray(n.cells) || typeof n.nbformat !== "number") {
    throw new NotebookError(`${path}: not a Jupyter notebook (no "cells" list or "nbformat" number)`);
  }
  if (n.nbformat !== 4) throw new NotebookError(`${path}: nbformat ${n.nbformat} is not supported; save it as nbformat 4`);
  n.cells.forEach((c, i) => {
    if (!c || !["code", "markdown", "raw"].includes(c.cell_type) || (typeof c.source !== "string" && !Array.isArray(c.source))) {
      throw new NotebookError(`${path}: cell ${i + 1} is malformed (needs cell_type and source)`);
    }
    c.metadata ??= {};
  });
  n.metadata ??= {};
  n.nbformat_minor ??= 5;
  return n as Notebook;
}

/** Writes via a temporary file and rename, so a crash never leaves half a notebook. */
export function writeNotebook(path: string, nb: Notebook): void {
  const tmp = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  writeFileSync(tmp, JSON.stringify(nb, null, 1) + "\n");
  renameSync(tmp, path);
}

export function newCellId(): string {
  return randomUUID().replace(/-/g, "").slice(0, 12);
}
