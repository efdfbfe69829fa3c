export type { Dataset } from "./dataset.js";
export { takeRows, takeExamples } from "./dataset.js";
export { xor, moons, circles, spirals, blobs, regression, type ToyOptions } from "./toy.js";
export { iris, digits } from "./real.js";
export { oneHot, standardize } from "./transforms.js";
export { permutation, shuffle, trainTestSplit, batches } from "./split.js";
