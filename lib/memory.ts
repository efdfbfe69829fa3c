import { currentBackend } from "./backend/registry.js";
import { memoryOf } from "./tensor/storage.js";

/**
 * Live tensor buffers and their bytes on the current backend. Buffers are freed when their
 * tensors are garbage-collected, so the numbers fall some time after tensors go out of use.
 * On the CPU backend buffers under 1 KiB are not counted: tracking them would cost more
 * time than they hold memory.
 */
export function memory(): { tensors: number; bytes: number } {
  return memoryOf(currentBackend().name);
}
