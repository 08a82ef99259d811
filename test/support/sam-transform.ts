// The templates as CloudFormation deploys them: template.yaml through the SAM translator (the one cfn-lint ships),
// templates/member.yaml decoded as is. Python does the work because the translator is Python; no AWS call is made.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { CfnTemplate } from "./template-checks.js";

// cfn-lint's decoder reads the short-form tags (!Ref, !Sub, ...) and reports YAML errors with line numbers; the
// translator is given an empty managed-policy map (the templates name no managed policy by its short name, so no
// IAM lookup is needed) and a fake S3 CodeUri, as cfn-lint itself does, because it refuses local paths. A nested
// application's local Location needs no such substitute: the translator copies a string Location into the nested
// stack's TemplateURL unchanged (only an object Location is looked up in the Serverless Application Repository),
// and cfn-lint, which substitutes only the object form, does the same.
const TRANSFORM_SCRIPT = `
import copy, json, os, sys
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
import cfnlint.data.AdditionalSpecs
from cfnlint.decode import decode
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

path = sys.argv[1]
template, errors = decode(path)
if errors or template is None:
    sys.exit("cannot decode %s: %s" % (path, "; ".join(str(e) for e in errors)))
source = copy.deepcopy(template)
transforms = template.get("Transform", [])
if isinstance(transforms, str):
    transforms = [transforms]
if "AWS::Serverless-2016-10-31" in transforms:
    for resource in template.get("Resources", {}).values():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://bucket/code.zip"
    template = Translator(managed_policy_map={}, sam_parser=Parser()).translate(
        sam_template=template, parameter_values={}
    )
json.dump({
    "source": source,
    "template": template,
    "serviceAuthorization": os.path.join(os.path.dirname(cfnlint.data.AdditionalSpecs.__file__), "Policies.json"),
}, sys.stdout, default=str)
`;

export interface TransformedTemplate {
  /** The template as written (tags decoded), before the transform: what its authors maintain. */
  readonly source: CfnTemplate;
  readonly template: CfnTemplate;
  /** Path of the Service Authorization Reference data cfn-lint ships (actions → resource types). */
  readonly serviceAuthorizationPath: string;
}

/** Runs the SAM translator over `path`; throws with Python's own message when it cannot. */
export function transformTemplate(path: string): TransformedTemplate {
  const run = spawnSync("python3", ["-c", TRANSFORM_SCRIPT, path], {
    encoding: "utf-8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error !== undefined)
    throw new Error(`cannot run python3 for the SAM translator (install cfn-lint): ${run.error.message}`);
  if (run.status !== 0)
    throw new Error(
      `the SAM translator failed on ${path} (exit ${run.status}; it needs python3 with cfn-lint, which brings ` +
        `aws-sam-translator):\n${run.stderr.trim()}`,
    );
  const parsed = JSON.parse(run.stdout) as {
    source: CfnTemplate;
    template: CfnTemplate;
    serviceAuthorization: string;
  };
  return {
    source: parsed.source,
    template: parsed.template,
    serviceAuthorizationPath: parsed.serviceAuthorization,
  };
}

/**
 * The transform of `path`, run once on first use. A failure is rethrown to every caller, so each test that needs the
 * template fails with the translator's message rather than being skipped.
 */
export function lazyTransform(path: string): () => TransformedTemplate {
  let outcome: { ok: true; value: TransformedTemplate } | { ok: false; error: unknown } | undefined;
  return () => {
    if (outcome === undefined) {
      try {
        outcome = { ok: true, value: transformTemplate(path) };
      } catch (error) {
        outcome = { ok: false, error };
      }
    }
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  };
}

/** Service prefix → lower-cased action name → the resource types the action can be scoped to (empty: none). */
export type ServiceAuthorization = ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;

export function loadServiceAuthorization(path: string): ServiceAuthorization {
  const raw = JSON.parse(readFileSync(path, "utf-8")) as Record<
    string,
    { Actions?: Record<string, { Resources?: string[] }> }
  >;
  const services = new Map<string, Map<string, readonly string[]>>();
  for (const [prefix, service] of Object.entries(raw)) {
    const actions = new Map<string, readonly string[]>();
    for (const [action, spec] of Object.entries(service.Actions ?? {}))
      actions.set(action.toLowerCase(), spec.Resources ?? []);
    services.set(prefix.toLowerCase(), actions);
  }
  return services;
}
