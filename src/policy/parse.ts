// Policy text (YAML or JSON) in, validated Policy out; issues carry the field path and, when known, line and column.
import { type Document, isMap, isNode, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { type PolicyIssue, PolicyValidationError } from "../errors.js";
import type * as z from "../zod.js";
import { type Policy, policySchema, RESERVED_KEYS } from "./schema.js";

/**
 * The largest policy text accepted, in UTF-8 bytes. Eight times SSM's advanced-tier parameter (8 KB) and room for
 * about 400 rules; parsing that much takes about 0.3 s cold and 0.1 s warm with under 20 MB of heap (npm run bench),
 * where a 16 MB text took a minute and 1.4 GB. Larger text is refused before the YAML parser sees it.
 */
export const MAX_POLICY_BYTES = 64 * 1024;

/**
 * How far YAML aliases may expand (the yaml library's maxAliasCount: references times the size of what they
 * refer to). A few anchors for a repeated destination stay far below it; an alias bomb does not.
 */
export const MAX_YAML_ALIAS_COUNT = 100;

export function parsePolicy(text: string, source: string): Policy {
  const size = Buffer.byteLength(text, "utf8");
  if (size > MAX_POLICY_BYTES)
    throw new PolicyValidationError(source, [
      {
        path: "",
        message: `the policy is ${size} bytes, more than the limit of ${MAX_POLICY_BYTES} bytes (64 KiB)`,
      },
    ]);
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
  const reserved = reservedKeyIssues(document.contents, lineCounter);
  if (reserved.length > 0) throw new PolicyValidationError(source, reserved);
  const result = policySchema.safeParse(toPlainData(document, source));
  if (result.success) return result.data;
  throw new PolicyValidationError(
    source,
    result.error.issues.flatMap(perKey).map((issue) => toPolicyIssue(issue, document.contents, lineCounter)),
  );
}

/**
 * The document as plain data. The yaml library signals an alias expansion past MAX_YAML_ALIAS_COUNT with a
 * ReferenceError from toJS; it becomes a validation issue like any other problem of the text.
 */
function toPlainData(document: Document, source: string): unknown {
  try {
    return document.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    throw new PolicyValidationError(source, [
      {
        path: "",
        message: `YAML aliases expand too far (more than ${MAX_YAML_ALIAS_COUNT} references): ${error.message}`,
      },
    ]);
  }
}

/**
 * Every mapping key that names an object's prototype machinery, wherever it sits. Checked on the YAML itself
 * because the data never shows them faithfully: zod drops `__proto__` from a record without a word.
 */
function reservedKeyIssues(root: Node | null, lineCounter: LineCounter): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  const visit = (node: unknown, path: Array<string | number>): void => {
    if (isSeq(node)) for (const [index, item] of node.items.entries()) visit(item, [...path, index]);
    if (!isMap(node)) return;
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined) continue;
      if (RESERVED_KEYS.includes(key)) {
        const offset = isNode(pair.key) ? pair.key.range?.[0] : undefined;
        issues.push({
          path: formatPath([...path, key]),
          message: `"${key}" is not allowed as a key (${RESERVED_KEYS.join(", ")} are reserved)`,
          ...(offset === undefined ? {} : toLineColumn(lineCounter.linePos(offset))),
        });
      }
      visit(pair.value, [...path, key]);
    }
  };
  visit(root, []);
  return issues;
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
