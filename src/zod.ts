// The one zod entry point for code that ships in the Lambda bundles: `import * as z from "../zod.js"`.
// zod/mini instead of the classic API: classic attaches dozens of methods to every schema instance it builds, and
// building this project's schemas that way was the largest single cost of a cold start (≈10 ms); mini builds the
// same schemas as plain objects. Mini ships without error messages, so the English ones classic shows are installed
// here, once, before any schema can parse.
import { en } from "zod/locales";
import { config } from "zod/mini";

config(en());

export * from "zod/mini";
