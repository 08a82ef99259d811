// Reverse proxy between an AWS SDK client and moto: requests in, recorded AwsCalls and canned responses out.
import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from "node:http";
import { listenOnLoopback } from "./loopback.js";

/** One AWS API call as seen on the wire. For REST services (S3) `action` is `"<METHOD> <path?query>"`. */
export interface AwsCall {
  readonly service: string;
  readonly action: string;
}

export interface CannedResponse {
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Decides per AWS call whether to answer with a canned response instead of forwarding to the target. `body` is the
 * raw request body, for decisions on a parameter (e.g. the RoleArn of an AssumeRole).
 */
export type Interceptor = (
  call: AwsCall,
  body: Buffer,
  headers: IncomingHttpHeaders,
) => CannedResponse | undefined | Promise<CannedResponse | undefined>;

export interface AwsProxy {
  /** `http://127.0.0.1:<port>`: use as `AWS_ENDPOINT_URL` or a client's `endpoint`. */
  readonly endpoint: string;
  /** Calls seen since start or the last reset(), in arrival order; `/moto-api/` requests are not calls. */
  calls(): AwsCall[];
  reset(): void;
  count(filter?: Partial<AwsCall>): number;
  stop(): Promise<void>;
}

const MOTO_API_PREFIX = "/moto-api/";
const CREDENTIAL_SCOPE = /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/;
const RPC_V2_PATH = /^\/service\/[^/]+\/operation\/([^/?]+)/;

export async function startAwsProxy(targetEndpoint: string, intercept?: Interceptor): Promise<AwsProxy> {
  const target = new URL(targetEndpoint);
  const agent = new Agent({ keepAlive: true });
  let recorded: AwsCall[] = [];

  const server = createServer((incoming, outgoing) => {
    readBody(incoming)
      .then(async (body) => {
        const path = incoming.url ?? "/";
        if (!path.startsWith(MOTO_API_PREFIX)) {
          const call = classifyAwsCall(incoming.method ?? "GET", path, incoming.headers, body);
          recorded.push(call);
          const canned = await intercept?.(call, body, incoming.headers);
          if (canned) {
            sendCanned(outgoing, canned);
            return;
          }
        }
        forward(incoming, body, outgoing, target, agent);
      })
      .catch((error: unknown) => failRequest(outgoing, error));
  });

  const port = await listenOnLoopback(server);

  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls: () => [...recorded],
    reset: () => {
      recorded = [];
    },
    count: (filter = {}) => recorded.filter((call) => matchesCall(filter, call)).length,
    stop: async () => {
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

/** True when every field set in `filter` equals the call's. */
export function matchesCall(filter: Partial<AwsCall>, call: AwsCall): boolean {
  return (
    (filter.service === undefined || filter.service === call.service) &&
    (filter.action === undefined || filter.action === call.action)
  );
}

/**
 * Names the call from the wire format: the SigV4 credential scope gives the service; the action comes from
 * `Action=` (query protocols: EC2, STS), `X-Amz-Target` (JSON protocols: SSM), the Smithy RPC v2 path, or
 * else method and path (REST: S3).
 */
export function classifyAwsCall(
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
): AwsCall {
  const url = new URL(path, "http://proxy.invalid");
  const target = headerValue(headers, "x-amz-target");
  const service =
    CREDENTIAL_SCOPE.exec(headerValue(headers, "authorization") ?? "")?.[1] ??
    CREDENTIAL_SCOPE.exec(`Credential=${url.searchParams.get("X-Amz-Credential") ?? ""}`)?.[1] ??
    target?.split(".")[0]?.toLowerCase() ??
    "unknown";

  if (target !== undefined) {
    return { service, action: target.slice(target.lastIndexOf(".") + 1) };
  }
  const queryAction = url.searchParams.get("Action") ?? formField(headers, body, "Action");
  if (queryAction !== undefined) {
    return { service, action: queryAction };
  }
  const rpcOperation = RPC_V2_PATH.exec(url.pathname)?.[1];
  if (rpcOperation !== undefined) {
    return { service, action: rpcOperation };
  }
  return { service, action: `${method} ${url.pathname}${url.search}` };
}

function formField(headers: IncomingHttpHeaders, body: Buffer, name: string): string | undefined {
  if (!headerValue(headers, "content-type")?.includes("application/x-www-form-urlencoded")) {
    return undefined;
  }
  return new URLSearchParams(body.toString("utf8")).get(name) ?? undefined;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(incoming: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

// Headers go through unchanged (Host included) so SigV4 signatures still verify when moto's IAM auth is on.
function forward(
  incoming: IncomingMessage,
  body: Buffer,
  outgoing: ServerResponse,
  target: URL,
  agent: Agent,
) {
  const upstream = request(
    {
      hostname: target.hostname,
      port: target.port,
      method: incoming.method,
      path: incoming.url,
      headers: incoming.headers,
      agent,
    },
    (response) => {
      outgoing.writeHead(response.statusCode ?? 502, response.statusMessage, response.rawHeaders);
      response.pipe(outgoing);
    },
  );
  upstream.on("error", (error) => failRequest(outgoing, error));
  upstream.end(body);
}

function sendCanned(outgoing: ServerResponse, canned: CannedResponse) {
  const body = Buffer.from(canned.body, "utf8");
  outgoing.writeHead(canned.status, {
    "content-type": "text/xml;charset=UTF-8",
    ...canned.headers,
    "content-length": String(body.length),
  });
  outgoing.end(body);
}

function failRequest(outgoing: ServerResponse, error: unknown) {
  if (outgoing.headersSent) {
    outgoing.destroy(error instanceof Error ? error : undefined);
    return;
  }
  outgoing.writeHead(502, { "content-type": "text/plain" });
  outgoing.end(`aws-proxy: ${error instanceof Error ? error.message : String(error)}`);
}
