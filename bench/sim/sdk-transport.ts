// The seam between the real AWS SDK clients and the simulated services: every client the product builds sends its
// requests through the SDK's default NodeHttpHandler (the product sets no requestHandler of its own; a timeout
// setting only configures that same handler). Replacing that handler's `handle` for the length of a run answers each
// signed, serialized request in process, so everything above the wire stays real: serializers, SigV4 signing,
// the retry middleware with its adaptive rate limiter and backoff, deserializers, error classes, paginators.
// The alternative, a requestHandler passed to each client, needs every client's config reachable from outside,
// which the deployed wiring (sweepWorkerFromEnvironment, orgSweepFromEnvironment) deliberately does not offer.
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { type HttpRequest, HttpResponse } from "@smithy/protocol-http";

export interface SimulatedAnswer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Answers one request the SDK would have sent over HTTP. */
export type SimulatedEndpoint = (request: HttpRequest) => Promise<SimulatedAnswer>;

/** Routes every SDK request in this process to `endpoint` until the returned function is called. */
export function routeSdkRequestsTo(endpoint: SimulatedEndpoint): () => void {
  const prototype = NodeHttpHandler.prototype;
  const original = Object.getOwnPropertyDescriptor(prototype, "handle");
  const encoder = new TextEncoder();
  Object.defineProperty(prototype, "handle", {
    configurable: true,
    writable: true,
    value: async (request: HttpRequest) => {
      const answer = await endpoint(request);
      return {
        response: new HttpResponse({
          statusCode: answer.statusCode,
          headers: { ...answer.headers },
          // A byte array is what the SDK's body collector takes without a stream.
          body: encoder.encode(answer.body),
        }),
      };
    },
  });
  return () => {
    if (original) Object.defineProperty(prototype, "handle", original);
  };
}

/** Region, service and access key of a SigV4-signed request (its credential scope). */
export function signedScope(
  request: HttpRequest,
): { accessKeyId: string; region: string; service: string } | undefined {
  const authorization = request.headers.authorization ?? request.headers.Authorization ?? "";
  const match = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization);
  if (!match) return undefined;
  const [, accessKeyId = "", region = "", service = ""] = match;
  return { accessKeyId, region, service };
}

/** The request body as text (the SDK's serializers produce a string for the query and JSON protocols). */
export function bodyText(request: HttpRequest): string {
  const body: unknown = request.body;
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  return "";
}
