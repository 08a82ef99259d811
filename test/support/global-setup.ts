// globalSetup of the integration project: one moto_server per run, its endpoint provided to the workers.
import type { TestProject } from "vitest/node";
import { startMoto } from "./moto.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>` of the run's moto_server; read it with `inject("motoEndpoint")`. */
    motoEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const moto = await startMoto();
  project.provide("motoEndpoint", moto.endpoint);
  // For code that runs outside vitest's inject(), e.g. scripts spawned by a test.
  process.env.MOTO_ENDPOINT = moto.endpoint;

  return async () => {
    delete process.env.MOTO_ENDPOINT;
    await moto.stop();
  };
}
