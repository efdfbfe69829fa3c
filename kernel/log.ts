// The kernel's own diagnostics go to the real stderr (Jupyter's server log), not to a cell,
// which is why the original write is kept before cells take over process.stderr.
const write = process.stderr.write.bind(process.stderr);

export function kernelLog(message: string): void {
  write(`[gradlab kernel] ${message}\n`);
}

/** Text that is already formatted (e.g. the socket worker's own log lines). */
export function kernelLogRaw(text: string): void {
  write(text);
}

const tracing = Boolean(process.env.GRADLAB_TRACE);

/** With GRADLAB_TRACE set: logs how long after process start a step finished (start-up tuning). */
export function trace(step: string): void {
  if (tracing) write(`[gradlab kernel] ${performance.now().toFixed(1)} ms: ${step}\n`);
}
