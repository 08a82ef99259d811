import { describe, expect, it } from "vitest";
import type { Outcome, OutcomeKind } from "../../../src/engine/enforce.js";
import { renderHtmlReport } from "../../../src/reports/html-report.js";

function outcome(kind: OutcomeKind, id: string, overrides: Partial<Outcome> = {}): Outcome {
  return {
    accountId: "111111111111",
    region: "eu-west-1",
    resourceType: "VPC",
    resourceId: id,
    outcome: kind,
    ...overrides,
  };
}

const OUTCOMES: Outcome[] = [
  outcome("compliant", "vpc-00000001"),
  outcome("created", "vpc-00000002", { accountId: "222222222222" }),
  outcome("would-create", "vpc-00000003", {
    rule: "<prod>",
    reason: 'no flow log & "nothing"',
    remedy: "VPC flow log on vpc-00000003 to arn:aws:s3:::b",
  }),
  outcome("exempt", "vpc-00000004"),
];

function render(
  outcomes: readonly Outcome[] = OUTCOMES,
  missing = [] as Array<{ accountId: string; region: string }>,
) {
  return renderHtmlReport({
    source: "scan <test>",
    generatedAt: new Date("2026-06-01T10:00:00Z"),
    modes: ["audit"],
    outcomes,
    missing,
  });
}

describe("HTML report", () => {
  it("shows the headline coverage, its counts, and a count per outcome kind", () => {
    const html = render();

    expect(html).toContain('id="coverage-percent">66.7 %</div>');
    expect(html).toContain('<strong id="covered-count">2</strong> of <strong id="in-scope-count">3</strong>');
    expect(html).toMatch(/data-outcome="would-create"><span class="n">1<\/span>/);
    expect(html).toMatch(/data-outcome="failed"><span class="n">0<\/span>/);
  });

  it("draws a bar per account and per region with its percentage", () => {
    const html = render();

    expect(html).toMatch(
      /<svg id="chart-accounts"[\s\S]*data-key="111111111111" data-percent="50"[\s\S]*data-key="222222222222" data-percent="100"[\s\S]*<\/svg>/,
    );
    expect(html).toMatch(/<svg id="chart-regions"[\s\S]*data-key="eu-west-1" data-percent="66.7"/);
  });

  it("lists only the resources not covered, with reason, rule and the flow log it would create, escaped", () => {
    const html = render();
    const table = html.slice(html.indexOf('<table id="not-covered"'), html.indexOf("</table>"));

    expect(table.match(/<tr class=/g)).toHaveLength(1);
    expect(table).toContain("vpc-00000003");
    expect(table).toContain("&lt;prod&gt;");
    expect(table).toContain("no flow log &amp; &quot;nothing&quot;");
    expect(table).toContain("VPC flow log on vpc-00000003 to arn:aws:s3:::b");
    expect(html).not.toContain("<prod>");
    expect(html).toContain("<title>VPC flow log coverage · scan &lt;test&gt;</title>");
  });

  it("is self-contained: no external script, style, image or font, and a policy that forbids fetching", () => {
    const html = render();

    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain(
      `content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"`,
    );
  });

  it("says so when everything is covered, and lists account-regions missing from a run", () => {
    const html = render(
      [outcome("compliant", "vpc-1")],
      [{ accountId: "333333333333", region: "us-east-1" }],
    );

    expect(html).toContain('id="all-covered"');
    expect(html).toContain('<ul id="missing"><li>333333333333 us-east-1</li></ul>');
    expect(html).toContain("1 account-region(s) missing from the run");
  });
});
