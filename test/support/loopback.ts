export { findFreePort, listenOnLoopback } from "../../tools/loopback.js";
