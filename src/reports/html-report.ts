// Pure: outcomes of a scan or a stored run in, one self-contained HTML page out (inline CSS, inline SVG charts and a
// few lines of inline script to sort the table; nothing is fetched: a Content-Security-Policy forbids it).
import { OUTCOMES, type Outcome, type OutcomeKind } from "../engine/enforce.js";
import {
  COVERAGE_CLASS,
  type Coverage,
  coverageBy,
  coverageOf,
  isNonCompliant,
  outcomeCounts,
} from "./coverage.js";

export interface HtmlReportInput {
  /** What was evaluated: "live scan", "run org-sweep-… (s3://bucket/runs/run=…/)". */
  readonly source: string;
  readonly generatedAt: Date;
  /** The engine's mode(s) behind the outcomes: what would-create and created mean. */
  readonly modes: readonly string[];
  readonly outcomes: readonly Outcome[];
  /** Account-regions the run expected and has no outcomes for (listed in its manifest, never written). */
  readonly missing?: ReadonlyArray<{ readonly accountId: string; readonly region: string }>;
}

const OUTCOME_LABEL: Readonly<Record<OutcomeKind, string>> = {
  created: "created",
  compliant: "compliant",
  "delivery-failing": "delivery failing",
  unapproved: "unapproved destination",
  exempt: "exempt",
  "would-create": "would create",
  "not-found": "not found",
  ignored: "out of scope",
  failed: "failed",
};

/** The page. Every value that comes from AWS or the policy is escaped. */
export function renderHtmlReport(input: HtmlReportInput): string {
  const resources = input.outcomes.filter((o) => o.resourceType !== "AccountRegion");
  const total = coverageOf(input.outcomes);
  const unreachable = input.outcomes.filter((o) => o.resourceType === "AccountRegion");
  const accountRegions = new Set(input.outcomes.map((o) => `${o.accountId}/${o.region}`));
  const nonCompliant = input.outcomes.filter(isNonCompliant);
  const title = "VPC flow log coverage";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="generator" content="vpc-flow-log-enforcer">
<title>${escapeHtml(title)} · ${escapeHtml(input.source)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${escapeHtml(input.source)} · generated ${escapeHtml(input.generatedAt.toISOString().replace("T", " ").slice(0, 19))} UTC · mode ${escapeHtml(input.modes.join(", ") || "unknown")}</p>
</header>
<main>
<section class="headline" aria-label="Headline">
<div class="big ${toneOf(total.percent)}" id="coverage-percent">${formatPercent(total.percent)}</div>
<div class="headline-text">
<p><strong id="covered-count">${total.covered}</strong> of <strong id="in-scope-count">${total.inScope}</strong> resources in scope are covered by the flow log the policy requires.</p>
<p>${resources.length} resource(s) in ${accountRegions.size} account-region(s)${unreachable.length > 0 ? `; <strong class="bad">${unreachable.length} account-region(s) could not be checked</strong>` : ""}${(input.missing?.length ?? 0) > 0 ? `; <strong class="bad">${input.missing?.length} account-region(s) missing from the run</strong>` : ""}.</p>
</div>
</section>
<section aria-label="Outcome counts">
<h2>Outcomes</h2>
<ul class="counts">
${countItems(input.outcomes)}
</ul>
</section>
<div class="charts">
<section aria-label="Coverage by account">
<h2>Coverage by account</h2>
${barChart(
  "chart-accounts",
  coverageBy(input.outcomes, (o) => o.accountId),
)}
</section>
<section aria-label="Coverage by region">
<h2>Coverage by region</h2>
${barChart(
  "chart-regions",
  coverageBy(input.outcomes, (o) => o.region),
)}
</section>
</div>
${missingSection(input.missing ?? [])}
<section aria-label="Resources not covered">
<h2>Not covered <span class="pill">${nonCompliant.length}</span></h2>
${nonCompliant.length === 0 ? '<p class="good" id="all-covered">Every resource in scope is covered.</p>' : table(nonCompliant)}
</section>
</main>
<footer>vpc-flow-log-enforcer · click a column heading to sort</footer>
<script>${SORT_SCRIPT}</script>
</body>
</html>
`;
}

function countItems(outcomes: readonly Outcome[]): string {
  const counts = outcomeCounts(outcomes);
  return OUTCOMES.map(
    (kind) =>
      `<li class="count ${COVERAGE_CLASS[kind]}" data-outcome="${kind}"><span class="n">${counts[kind]}</span><span class="label">${escapeHtml(OUTCOME_LABEL[kind])}</span></li>`,
  ).join("\n");
}

const ROW_HEIGHT = 30;
const LABEL_WIDTH = 150;
const BAR_WIDTH = 300;
const VALUE_WIDTH = 130;

/** Horizontal bars, one per group: coverage percent, with covered/in-scope counts. */
function barChart(id: string, groups: ReadonlyArray<{ readonly key: string } & Coverage>): string {
  if (groups.length === 0) return '<p class="muted">No resources.</p>';
  const width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH;
  const height = groups.length * ROW_HEIGHT;
  const rows = groups.map((group, index) => {
    const y = index * ROW_HEIGHT;
    const filled = group.percent === undefined ? 0 : (BAR_WIDTH * group.percent) / 100;
    const value =
      group.percent === undefined
        ? "nothing in scope"
        : `${formatPercent(group.percent)} (${group.covered}/${group.inScope})`;
    return `<g class="bar" data-key="${escapeHtml(group.key)}" data-percent="${group.percent ?? ""}">
<title>${escapeHtml(`${group.key}: ${value}`)}</title>
<text x="${LABEL_WIDTH - 8}" y="${y + 19}" text-anchor="end" class="bar-label">${escapeHtml(group.key)}</text>
<rect x="${LABEL_WIDTH}" y="${y + 6}" width="${BAR_WIDTH}" height="18" rx="3" class="track"/>
<rect x="${LABEL_WIDTH}" y="${y + 6}" width="${filled.toFixed(1)}" height="18" rx="3" class="fill ${toneOf(group.percent)}"/>
<text x="${LABEL_WIDTH + BAR_WIDTH + 8}" y="${y + 19}" class="bar-value">${escapeHtml(value)}</text>
</g>`;
  });
  return `<svg id="${id}" role="img" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px">
${rows.join("\n")}
</svg>`;
}

function missingSection(
  missing: ReadonlyArray<{ readonly accountId: string; readonly region: string }>,
): string {
  if (missing.length === 0) return "";
  const items = missing.map((m) => `<li>${escapeHtml(`${m.accountId} ${m.region}`)}</li>`).join("");
  return `<section aria-label="Missing account-regions"><h2>Missing from the run <span class="pill bad-pill">${missing.length}</span></h2>
<p>The run enqueued these account-regions but wrote no outcomes for them (still running, or failed every attempt: see the sweep dead-letter queue).</p>
<ul id="missing">${items}</ul></section>`;
}

const COLUMNS = [
  "Account",
  "Region",
  "Type",
  "Resource",
  "Outcome",
  "Rule",
  "Reason",
  "Flow log it would create",
] as const;

function table(rows: readonly Outcome[]): string {
  const head = COLUMNS.map(
    (column, index) =>
      `<th scope="col" data-column="${index}" aria-sort="none"><button type="button">${escapeHtml(column)}</button></th>`,
  ).join("");
  const body = rows
    .map((o) => {
      const cells = [
        o.accountId,
        o.region,
        o.resourceType,
        o.resourceId,
        o.outcome,
        o.rule ?? "",
        o.reason ?? "",
        o.remedy ?? "",
      ];
      return `<tr class="${o.outcome}">${cells
        .map((cell, index) =>
          index === 4
            ? `<td><span class="tag ${escapeHtml(cell)}">${escapeHtml(cell)}</span></td>`
            : `<td>${escapeHtml(cell)}</td>`,
        )
        .join("")}</tr>`;
    })
    .join("\n");
  return `<div class="table-wrap"><table id="not-covered" class="sortable">
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table></div>`;
}

function toneOf(percent: number | undefined): string {
  if (percent === undefined) return "none";
  if (percent >= 95) return "ok";
  if (percent >= 80) return "warn";
  return "bad";
}

export function formatPercent(percent: number | undefined): string {
  return percent === undefined ? "–" : `${percent.toFixed(1)} %`;
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

const STYLE = `
:root { --ok: #1a7f37; --warn: #b7791f; --bad: #cf222e; --muted: #57606a; --line: #d0d7de; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; background: #fff; }
header { padding: 20px 32px 12px; border-bottom: 1px solid var(--line); background: var(--bg); }
h1 { margin: 0 0 4px; font-size: 22px; }
h2 { font-size: 16px; margin: 24px 0 10px; }
.meta, .muted, footer { color: var(--muted); }
main { padding: 8px 32px 24px; max-width: 1400px; }
.headline { display: flex; gap: 28px; align-items: center; margin-top: 16px; }
.big { font-size: 56px; font-weight: 700; min-width: 220px; }
.big.ok, .good { color: var(--ok); } .big.warn { color: var(--warn); } .big.bad, .bad { color: var(--bad); } .big.none { color: var(--muted); }
.headline-text p { margin: 4px 0; }
.counts { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 10px; }
.count { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 110px; border-top-width: 4px; }
.count.covered { border-top-color: var(--ok); } .count.uncovered { border-top-color: var(--bad); } .count.excluded { border-top-color: var(--muted); }
.count .n { display: block; font-size: 22px; font-weight: 600; }
.count .label { color: var(--muted); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 8px 32px; }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; fill: #1f2328; }
.track { fill: #eaeef2; } .fill.ok { fill: var(--ok); } .fill.warn { fill: var(--warn); } .fill.bad { fill: var(--bad); } .fill.none { fill: #eaeef2; }
.pill { display: inline-block; background: #eaeef2; border-radius: 10px; padding: 0 8px; font-size: 12px; vertical-align: middle; }
.bad-pill { background: #ffebe9; color: var(--bad); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
td:nth-child(-n+5) { white-space: nowrap; }
td:nth-child(7), td:nth-child(8) { max-width: 420px; overflow-wrap: anywhere; }
th button { all: unset; cursor: pointer; font-weight: 600; }
th[aria-sort="ascending"] button::after { content: " ▲"; } th[aria-sort="descending"] button::after { content: " ▼"; }
tbody tr:hover { background: var(--bg); }
.tag { border-radius: 4px; padding: 1px 6px; font-size: 12px; white-space: nowrap; background: #ffebe9; color: var(--bad); }
.tag.delivery-failing, .tag.would-create, .tag.unapproved { background: #fff8c5; color: #7d4e00; }
footer { padding: 12px 32px 24px; font-size: 12px; }
@media print { th button::after { content: none !important; } }
`;

// Sorts the table by the clicked column; a second click reverses. Plain DOM, no library.
const SORT_SCRIPT = `
for (const table of document.querySelectorAll("table.sortable")) {
  const headers = [...table.tHead.rows[0].cells];
  headers.forEach((th, column) => th.querySelector("button").addEventListener("click", () => {
    const ascending = th.getAttribute("aria-sort") !== "ascending";
    headers.forEach((other) => other.setAttribute("aria-sort", "none"));
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const body = table.tBodies[0];
    const rows = [...body.rows].sort((a, b) =>
      a.cells[column].textContent.localeCompare(b.cells[column].textContent));
    if (!ascending) rows.reverse();
    body.append(...rows);
  }));
}
`;
