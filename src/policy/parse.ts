// Policy text (YAML or JSON) in, validated Policy out; issues carry the field path and, when known, line and column.
import { isMap, isNode, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { type PolicyIssue, PolicyValidationError } from "../errors.js";
import type * as z from "../zod.js";
import { type Policy, policySchema } from "./schema.js";

export function parsePolicy(text: string, source: string): Policy {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new PolicyValidationError(
      source,
      document.errors.map((error) => {
        const position = lineCounter.linePos(error.pos[0]);
        return { path: "", message: error.message.split("\n")[0] ?? error.code, ...toLineColumn(position) };
      }),
    );
  }
  const result = policySchema.safeParse(document.toJS());
  if (result.success) return result.data;
  throw new PolicyValidationError(
    source,
    result.error.issues.flatMap(perKey).map((issue) => toPolicyIssue(issue, document.contents, lineCounter)),
  );
}

/** One issue per unknown key, located at the key itself rather than at the object that holds it. */
function perKey(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== "unrecognized_keys") return [issue];
  return issue.keys.map((key) => ({
    ...issue,
    keys: [key],
    path: [...issue.path, key],
    message: `unknown field "${key}"`,
  }));
}

function toPolicyIssue(issue: z.core.$ZodIssue, root: Node | null, lineCounter: LineCounter): PolicyIssue {
  const path = issue.path.map(String);
  const node = nearestNode(root, path, issue.code === "unrecognized_keys");
  const offset = node?.range?.[0];
  return {
    path: formatPath(issue.path),
    message: issue.message,
    ...(offset === undefined ? {} : toLineColumn(lineCounter.linePos(offset))),
  };
}

/**
 * Where the path points in the YAML: the value at the path (or, for an unknown field, its key); when the path
 * does not exist, the deepest node along it, so a missing key points at its parent.
 */
function nearestNode(root: Node | null, path: readonly string[], atKey: boolean): Node | undefined {
  let node: Node | undefined = root ?? undefined;
  for (const [index, key] of path.entries()) {
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
      if (atKey && pair && index === path.length - 1 && isNode(pair.key)) return pair.key;
      next = pair?.value;
    } else if (isSeq(node)) next = node.get(Number(key), true);
    if (!isNode(next)) return node;
    node = next;
  }
  return node;
}

function toLineColumn(position: { line: number; col: number }): { line: number; column: number } {
  return { line: position.line, column: position.col };
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === "number") return `${text}[${key}]`;
    return text === "" ? String(key) : `${text}.${String(key)}`;
  }, "");
}
