export { Module } from "./module.js";
export {
  Linear, Dense, Sequential, Dropout, Flatten, ReLU, Sigmoid, Tanh, SELU, Softplus, Gaussian,
  LeakyReLU, ELU, Softmax, LogSoftmax, PReLU, type LinearOptions, type ActivationName,
} from "./layers.js";
export { initWeight, type Init } from "./init.js";
