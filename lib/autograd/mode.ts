/** Whether new ops record the graph for backward; `noGrad` switches it off. */
export const gradMode = { enabled: true };

/**
 * Runs `fn` without recording gradients (evaluation, optimizer updates). For an async `fn`
 * recording stays off until its promise settles.
 */
export function noGrad<T>(fn: () => T): T {
  const prev = gradMode.enabled;
  gradMode.enabled = false;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    gradMode.enabled = prev;
    throw e;
  }
  if (result instanceof Promise) {
    return result.finally(() => {
      gradMode.enabled = prev;
    }) as T;
  }
  gradMode.enabled = prev;
  return result;
}

export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const prev = gradMode.enabled;
  gradMode.enabled = enabled;
  try {
    return fn();
  } finally {
    gradMode.enabled = prev;
  }
}
