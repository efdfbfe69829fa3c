import type { BackendName } from "../backend/backend.js";

/**
 * Garbage each backend may hold before a collection: `share` of what was live after the last
 * one (a program that keeps gigabytes on purpose must not collect after every few tensors), and
 * at least a floor between `min` and `max` that follows what collections cost here.
 *
 * A forced collection costs what the whole JavaScript heap costs to mark: 2–5 ms in a small
 * program, 20–100 ms in a kernel next to the TypeScript compiler. A loop that makes megabytes of
 * garbage per step at full speed (an elementwise op on a large tensor) would spend nearly all its
 * time collecting at a 16 MiB floor there, so when collecting takes more than a quarter of the
 * time since the last collection the floor doubles, up to `max`, and when it takes less than a
 * twentieth it halves back towards `min`. The CPU's `max` keeps a loop's growth within 64 MiB;
 * GPU memory is scarcer (and each GPU tensor worth more), so its floor stays at 2 MiB.
 */
export const COLLECT_BUDGET: Readonly<Record<BackendName, { min: number; max: number; share: number }>> = {
  cpu: { min: 16 * 2 ** 20, max: 48 * 2 ** 20, share: 0.25 },
  webgpu: { min: 2 * 2 ** 20, max: 2 * 2 ** 20, share: 0.5 },
};

/** Share of the time since the previous collection above which collecting is too costly. */
export const COSTLY_SHARE = 0.25;
/** Share below which collections are cheap enough to hold less garbage. */
export const CHEAP_SHARE = 0.05;

/** The floor after a collection that took `costMs`, `sinceMs` after the previous one ended. */
export function nextFloor(backend: BackendName, floor: number, costMs: number, sinceMs: number): number {
  const { min, max } = COLLECT_BUDGET[backend];
  if (costMs > COSTLY_SHARE * sinceMs) return Math.min(max, floor * 2);
  if (costMs < CHEAP_SHARE * sinceMs) return Math.max(min, floor / 2);
  return floor;
}
