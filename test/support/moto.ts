// The moto lifecycle lives in src/local/ so `npm start` and the benchmarks share it with the tests.
export { type MotoServer, resetMoto, setMotoAuth, startMoto } from "../../src/local/moto.js";
