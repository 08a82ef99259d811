// Loopback ports for the local AWS test bed: a listening server in, its port out.
import { createServer, type Server } from "node:net";

/** Listens on 127.0.0.1 with an OS-assigned port and resolves with that port. */
export async function listenOnLoopback(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") {
    throw new Error(`expected a TCP address, got ${String(address)}`);
  }
  return address.port;
}

/** A port free right now; another process may still take it before the caller binds it. */
export async function findFreePort(): Promise<number> {
  const probe = createServer();
  const port = await listenOnLoopback(probe);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
