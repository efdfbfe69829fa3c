/**
 * How a check speaks: a failure is a CheckError whose message says what was expected, what was
 * found and a hint; a success prints one "✓" line so a student sees every check that passed,
 * not only the cell's last expression.
 */
export class CheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckError";
  }
}

/** Builds the multi-line failure message: a "✗" headline, detail lines, then hints. */
export function fail(headline: string, details: readonly string[] = [], hints: readonly string[] = []): never {
  const lines = [`✗ ${headline}`, ...details.map((d) => `  ${d}`)];
  // Hints are deduplicated: several detectors can reach the same advice.
  for (const h of [...new Set(hints)]) lines.push(`Hint: ${h}`);
  throw new CheckError(lines.join("\n"));
}

export function pass(message: string): void {
  console.log(`✓ ${message}`);
}

/** "what" a check talks about: the caller's name, or a neutral default. */
export function label(name: string | undefined, fallback: string): string {
  return name && name.trim() ? name.trim() : fallback;
}
