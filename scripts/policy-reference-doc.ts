// The policy reference (README section and docs/policy-reference.md) generated from the JSON Schema, so the
// documented fields, defaults and allowed values can never drift from what the validator accepts.

type Schema = Record<string, unknown>;

interface Row {
  readonly path: string;
  readonly type: string;
  readonly required: boolean;
  readonly defaultValue: string;
  readonly description: string;
}

export function policyReferenceMarkdown(schema: Schema): string {
  const rows: Row[] = [];
  walk(schema, "", true, rows);
  const escapeCell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
  return [
    "| Field | Type / allowed values | Required | Default | Description |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map(
      (row) =>
        `| \`${row.path}\` | ${escapeCell(row.type)} | ${row.required ? "yes" : "no"} | ${escapeCell(row.defaultValue)} | ${escapeCell(row.description)} |`,
    ),
  ].join("\n");
}

function walk(schema: Schema, path: string, required: boolean, rows: Row[]): void {
  const variants = asArray(schema.oneOf ?? schema.anyOf);
  if (path !== "") rows.push(describe(schema, path, required, variants));
  if (variants.length > 0) {
    for (const variant of variants) {
      const discriminator = record(record(variant.properties).type).const;
      const label = typeof discriminator === "string" ? ` (type ${discriminator})` : "";
      walkProperties(variant, path, label, rows);
    }
    return;
  }
  walkProperties(schema, path, "", rows);
  const items = record(schema.items);
  if (schema.type === "array" && items.type === "object") walk(items, `${path}[]`, true, rows);
  const additional = record(schema.additionalProperties);
  if (schema.type === "object" && additional.type === "object") walk(additional, `${path}.<key>`, true, rows);
}

function walkProperties(schema: Schema, path: string, label: string, rows: Row[]): void {
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  for (const [name, child] of Object.entries(record(schema.properties))) {
    const childPath = path === "" ? name : `${path}.${name}`;
    if (label && name === "type") continue;
    walk(record(child), `${childPath}${label}`, required.has(name), rows);
  }
}

function describe(schema: Schema, path: string, required: boolean, variants: Schema[]): Row {
  return {
    path,
    type: typeOf(schema, variants),
    required,
    defaultValue: schema.default === undefined ? "" : `\`${JSON.stringify(schema.default)}\``,
    description: typeof schema.description === "string" ? schema.description : "",
  };
}

function typeOf(schema: Schema, variants: Schema[]): string {
  if (variants.length > 0) {
    const kinds = variants.map((variant) => record(record(variant.properties).type).const).filter(Boolean);
    if (kinds.length > 0) return `one of type: ${kinds.map((k) => `\`${String(k)}\``).join(", ")}`;
    const constants = variants.map((variant) => variant.const);
    if (constants.every((value) => value !== undefined))
      return constants.map((value) => `\`${String(value)}\``).join(", ");
    return "one of several shapes";
  }
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => `\`${String(value)}\``).join(", ");
  if (schema.type === "array")
    return `list of ${typeOf(record(schema.items), asArray(record(schema.items).anyOf))}`;
  if (schema.type === "object" && schema.additionalProperties && !schema.properties) return "map of string";
  if (typeof schema.pattern === "string") return `${String(schema.type)} matching \`${schema.pattern}\``;
  return String(schema.type ?? "any");
}

function record(value: unknown): Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Schema) : {};
}

function asArray(value: unknown): Schema[] {
  return Array.isArray(value) ? value.map(record) : [];
}

const START = "<!-- policy-reference:start -->";
const END = "<!-- policy-reference:end -->";

/** The document with the text between the policy-reference markers replaced by `reference`. */
export function withReferenceSection(document: string, reference: string): string {
  const start = document.indexOf(START);
  const end = document.indexOf(END);
  if (start < 0 || end < start) throw new Error(`the document has no ${START} … ${END} section`);
  return `${document.slice(0, start + START.length)}\n${reference}\n${document.slice(end)}`;
}
