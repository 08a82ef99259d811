// Policy text (YAML or JSON) in, validated Policy out; issues carry the field path and, when known, line and column.
import { isMap, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { z } from "zod";
import { type PolicyIssue, PolicyValidationError } from "../errors.js";
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
    result.error.issues.map((issue) => toPolicyIssue(issue, document.contents, lineCounter)),
  );
}

function toPolicyIssue(issue: z.core.$ZodIssue, root: Node | null, lineCounter: LineCounter): PolicyIssue {
  const path = issue.path.map(String);
  const node = nearestNode(root, path);
  const offset = node?.range?.[0];
  return {
    path: formatPath(issue.path),
    message: issue.message,
    ...(offset === undefined ? {} : toLineColumn(lineCounter.linePos(offset))),
  };
}

/** The deepest YAML node along the path, so a missing key points at its parent. */
function nearestNode(root: Node | null, path: readonly string[]): Node | undefined {
  let node: Node | undefined = root ?? undefined;
  for (const key of path) {
    let next: unknown;
    if (isMap(node)) next = node.get(key, true);
    else if (isSeq(node)) next = node.get(Number(key), true);
    if (next === undefined || next === null || typeof next !== "object") return node;
    node = next as Node;
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
