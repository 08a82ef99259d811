// The moto lifecycle lives in tools/ so `npm start` and the benchmarks share it with the tests.
export { type MotoServer, resetMoto, setMotoAuth, startMoto } from "../../tools/moto.js";
