export { findFreePort, listenOnLoopback } from "../../src/local/loopback.js";
