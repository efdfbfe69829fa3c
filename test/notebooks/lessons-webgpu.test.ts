import { describeLessons } from "../helpers/lessons.js";

// The same lessons on WebGPU (llvmpipe on CI): each must run unchanged on a GPU. A file of its
// own so that it runs beside the CPU run.
describeLessons("webgpu");
