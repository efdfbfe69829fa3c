// Summaries of the kernel benchmark's samples, shared by its phases.

/** The median (the mean of the middle two for an even count); NaN for no samples. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
