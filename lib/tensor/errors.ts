/** Errors a learner can act on: each names the op and the offending shapes or values. */
export class GradlabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GradlabError";
  }
}

export class ShapeError extends GradlabError {
  constructor(message: string) {
    super(message);
    this.name = "ShapeError";
  }
}

export class DTypeError extends GradlabError {
  constructor(message: string) {
    super(message);
    this.name = "DTypeError";
  }
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}
