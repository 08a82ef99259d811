// Security and operability properties of a CloudFormation template as deployed (after SAM's transform). Each check
// returns the violations it finds, one readable line each, so a failing test names the resource and the statement.
import type { ServiceAuthorization } from "./sam-transform.js";

export interface CfnResource {
  readonly Type: string;
  readonly Condition?: string;
  readonly Properties?: Record<string, unknown>;
}

export interface CfnTemplate {
  readonly Parameters?: Record<string, unknown>;
  readonly Conditions?: Record<string, unknown>;
  readonly Resources?: Record<string, CfnResource>;
}

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNoValue(value: unknown): boolean {
  return isObj(value) && value.Ref === "AWS::NoValue";
}

/** Both branches of every Fn::If (AWS::NoValue dropped): a conditional value is checked whichever way it goes. */
function alternatives(value: unknown): unknown[] {
  const branches = isObj(value) ? value["Fn::If"] : undefined;
  if (Array.isArray(branches))
    return [branches[1], branches[2]].flatMap(alternatives).filter((v) => !isNoValue(v));
  return value === undefined || isNoValue(value) ? [] : [value];
}

/** A property that may be a single value or a list (Action, Resource, Statement), with Fn::If expanded. */
function listOf(value: unknown): unknown[] {
  return alternatives(value).flatMap((v) => (Array.isArray(v) ? v.flatMap(alternatives) : [v]));
}

function resources(template: CfnTemplate): Array<[string, CfnResource]> {
  return Object.entries(template.Resources ?? {});
}

function resourceOfType(template: CfnTemplate, logicalId: string, type: string): CfnResource | undefined {
  const found = template.Resources?.[logicalId];
  return found?.Type === type ? found : undefined;
}

/** `{ "Fn::GetAtt": [id, attribute] }` (either form) → [id, attribute]. */
function getAtt(value: unknown): [string, string] | undefined {
  const att = isObj(value) ? value["Fn::GetAtt"] : undefined;
  if (typeof att === "string") {
    const [id = "", ...rest] = att.split(".");
    return [id, rest.join(".")];
  }
  if (Array.isArray(att) && typeof att[0] === "string" && typeof att[1] === "string") return [att[0], att[1]];
  return undefined;
}

function refOf(value: unknown): string | undefined {
  return isObj(value) && typeof value.Ref === "string" ? value.Ref : undefined;
}

/** The logical id an ARN-valued property points at: `!GetAtt X.Arn`, or `!Ref X` (a function's Ref is its name). */
function targetId(value: unknown): string | undefined {
  const att = getAtt(value);
  if (att !== undefined && att[1] === "Arn") return att[0];
  return refOf(value);
}

/** A literal or `!Sub` ARN with every `${...}` replaced by a colon-free token, so its fields can be split. */
function arnText(value: unknown): string | undefined {
  let text: unknown = value;
  if (isObj(value) && "Fn::Sub" in value) {
    const sub = value["Fn::Sub"];
    text = Array.isArray(sub) ? sub[0] : sub;
  }
  return typeof text === "string" ? text.replace(/\$\{[^}]*\}/g, "VAR") : undefined;
}

/** `*`, or an ARN whose resource part is `*` (every resource of the service in that account-region). */
export function isWildcardResource(value: unknown): boolean {
  const text = arnText(value);
  if (text === undefined) return false;
  if (text === "*") return true;
  const fields = text.split(":");
  return fields.length >= 6 && fields[0] === "arn" && fields.slice(5).join(":") === "*";
}

function globToRegExp(glob: string): RegExp {
  const source = glob
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, "i");
}

/** Whether an IAM action pattern (with * and ?) covers `action`. */
export function actionMatches(pattern: string, action: string): boolean {
  return globToRegExp(pattern).test(action);
}

// ---------------------------------------------------------------------------------------------------------------
// IAM statements

export interface StatementAt {
  /** Resource, policy and statement index (and Sid), for messages. */
  readonly where: string;
  /** Logical id of the role, user, group or policy resource holding it. */
  readonly holder: string;
  readonly statement: Obj;
}

const INLINE_POLICY_HOLDERS = new Set(["AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"]);
const POLICY_RESOURCES = new Set([
  "AWS::IAM::Policy",
  "AWS::IAM::ManagedPolicy",
  "AWS::IAM::RolePolicy",
  "AWS::IAM::UserPolicy",
  "AWS::IAM::GroupPolicy",
]);

/**
 * Every identity-policy statement: inline policies of roles, users and groups, and AWS::IAM::Policy /
 * ManagedPolicy / *Policy resources. Trust policies (AssumeRolePolicyDocument) name principals, not permissions.
 */
export function policyStatements(template: CfnTemplate): StatementAt[] {
  const found: StatementAt[] = [];
  const add = (holder: string, policyName: string, document: unknown) => {
    for (const doc of alternatives(document)) {
      const statements = isObj(doc) ? listOf(doc.Statement) : [];
      statements.forEach((statement, index) => {
        const sid = isObj(statement) && typeof statement.Sid === "string" ? ` (${statement.Sid})` : "";
        const where = `${holder} ${policyName} Statement[${index}]${sid}`;
        found.push({ where, holder, statement: isObj(statement) ? statement : { Invalid: statement } });
      });
    }
  };
  for (const [id, resource] of resources(template)) {
    const properties = resource.Properties ?? {};
    if (INLINE_POLICY_HOLDERS.has(resource.Type))
      listOf(properties.Policies).forEach((policy, index) => {
        const name = isObj(policy) && typeof policy.PolicyName === "string" ? policy.PolicyName : `#${index}`;
        add(id, name, isObj(policy) ? policy.PolicyDocument : undefined);
      });
    if (POLICY_RESOURCES.has(resource.Type)) add(id, resource.Type, properties.PolicyDocument);
  }
  return found;
}

/** Where each resource type keeps its resource-based policy document. */
const RESOURCE_POLICY_DOCUMENTS: Readonly<Record<string, string>> = {
  "AWS::S3::BucketPolicy": "PolicyDocument",
  "AWS::KMS::Key": "KeyPolicy",
  "AWS::SQS::QueuePolicy": "PolicyDocument",
  "AWS::SNS::TopicPolicy": "PolicyDocument",
};

/**
 * Every resource-policy statement: bucket, key, queue and topic policies, and event bus policies (which hold one
 * Statement). They name who may act, so they are checked for that (checkResourcePolicies) besides the action rules.
 */
export function resourcePolicyStatements(template: CfnTemplate): StatementAt[] {
  const found: StatementAt[] = [];
  for (const [id, resource] of resources(template)) {
    const properties = resource.Properties ?? {};
    const documentKey = RESOURCE_POLICY_DOCUMENTS[resource.Type];
    const documents =
      documentKey !== undefined
        ? alternatives(properties[documentKey]).map((doc) => (isObj(doc) ? listOf(doc.Statement) : []))
        : resource.Type === "AWS::Events::EventBusPolicy"
          ? [listOf(properties.Statement)]
          : [];
    for (const statements of documents)
      statements.forEach((statement, index) => {
        const sid = isObj(statement) && typeof statement.Sid === "string" ? ` (${statement.Sid})` : "";
        found.push({
          where: `${id} ${resource.Type} Statement[${index}]${sid}`,
          holder: id,
          statement: isObj(statement) ? statement : { Invalid: statement },
        });
      });
  }
  return found;
}

/** Condition keys that bind a grant to the caller's account or organization (against the confused deputy). */
const BINDING_KEYS = [
  "aws:sourceaccount",
  "aws:sourcearn",
  "aws:sourceorgid",
  "aws:sourceorgpaths",
  "aws:principalorgid",
];

/**
 * A resource policy's Allow to a service principal or to everyone ("*") must carry a condition that binds it to an
 * account or the organization (aws:SourceAccount, aws:SourceArn, aws:SourceOrgID, aws:PrincipalOrgID); no Allow with
 * NotPrincipal (it grants everyone else).
 */
export function checkResourcePolicies(statements: readonly StatementAt[]): string[] {
  const violations: string[] = [];
  for (const { where, statement } of statements) {
    if (!isAllow(statement)) continue;
    if ("NotPrincipal" in statement) {
      violations.push(`${where}: Allow with NotPrincipal grants every other principal`);
      continue;
    }
    const principal = statement.Principal;
    const everyone = principal === "*" || (isObj(principal) && listOf(principal.AWS).includes("*"));
    const service = isObj(principal) && listOf(principal.Service).length > 0;
    if (!everyone && !service) continue;
    for (const condition of alternatives(statement.Condition)) {
      const keys = isObj(condition)
        ? Object.values(condition).flatMap((block) => (isObj(block) ? Object.keys(block) : []))
        : [];
      if (!keys.some((key) => BINDING_KEYS.includes(key.toLowerCase())))
        violations.push(
          `${where}: Allow to ${everyone ? '"*"' : "a service principal"} without aws:SourceAccount, aws:SourceArn, aws:SourceOrgID or aws:PrincipalOrgID`,
        );
    }
    if (alternatives(statement.Condition).length === 0)
      violations.push(
        `${where}: Allow to ${everyone ? '"*"' : "a service principal"} without aws:SourceAccount, aws:SourceArn, aws:SourceOrgID or aws:PrincipalOrgID`,
      );
  }
  return violations;
}

function isAllow(statement: Obj): boolean {
  return statement.Effect === "Allow";
}

function actionsOf(statement: Obj): unknown[] {
  return listOf(statement.Action);
}

function stringActions(statement: Obj): string[] {
  return actionsOf(statement).filter((a): a is string => typeof a === "string");
}

function grants(statement: Obj, action: string): boolean {
  return isAllow(statement) && stringActions(statement).some((pattern) => actionMatches(pattern, action));
}

/** No `*`, no `service:*`, no NotAction / NotResource on an Allow (they grant everything not listed). */
export function checkNoWildcardActions(statements: readonly StatementAt[]): string[] {
  const violations: string[] = [];
  for (const { where, statement } of statements) {
    if (!isAllow(statement)) continue;
    if ("NotAction" in statement) violations.push(`${where}: Allow with NotAction grants every other action`);
    if ("NotResource" in statement)
      violations.push(`${where}: Allow with NotResource grants every other resource`);
    for (const action of actionsOf(statement)) {
      if (typeof action !== "string")
        violations.push(`${where}: action ${JSON.stringify(action)} is not literal`);
      else if (action === "*" || /^[^:]+:\*$/.test(action))
        violations.push(`${where}: action "${action}" grants a whole service`);
    }
  }
  return violations;
}

export interface WildcardResourceAllowance {
  /** Action pattern, as IAM writes it (`ec2:Describe*`). */
  readonly action: string;
  /**
   * `none`: AWS documents no resource type for the action, so `*` is the only possible Resource (verified
   * against the Service Authorization Reference data for every matching action the template uses).
   * `read-only`: the action can be scoped, but it only reads and its resource ARNs are unknown to the stack.
   */
  readonly resourceLevel: "none" | "read-only";
  readonly why: string;
}

function concreteActions(action: string, authorization: ServiceAuthorization | undefined): string[] {
  if (!/[*?]/.test(action)) return [action];
  const [service = "", name = ""] = action.split(":");
  const known = authorization?.get(service.toLowerCase());
  if (known === undefined) return [];
  return [...known.keys()].filter((a) => actionMatches(name, a)).map((a) => `${service}:${a}`);
}

/**
 * An Allow on a wildcard resource may only carry actions the allow-list names; an allowance that claims "no
 * resource-level permissions" must agree with the Service Authorization Reference when it knows the action.
 */
export function checkWildcardResources(
  statements: readonly StatementAt[],
  allowances: readonly WildcardResourceAllowance[],
  authorization?: ServiceAuthorization,
): string[] {
  const violations: string[] = [];
  for (const { where, statement } of statements) {
    if (!isAllow(statement) || !listOf(statement.Resource).some(isWildcardResource)) continue;
    for (const action of stringActions(statement)) {
      const concrete = concreteActions(action, authorization);
      if (concrete.length === 0) violations.push(`${where}: "${action}" on "*" matches no known action`);
      const unlisted = concrete.filter((one) => !allowances.some((a) => actionMatches(a.action, one)));
      if (unlisted.length > 0) {
        const named =
          unlisted.length === 1 && unlisted[0] === action
            ? ""
            : ` (${unlisted.length} actions, e.g. ${unlisted.slice(0, 3).join(", ")})`;
        violations.push(
          `${where}: "${action}" on Resource "*" is not in the allow-list${named}; scope it to ARNs`,
        );
      }
      for (const one of concrete) {
        const allowance = allowances.find((a) => actionMatches(a.action, one));
        if (allowance === undefined) continue;
        const [service = "", name = ""] = one.split(":");
        const types = authorization?.get(service.toLowerCase())?.get(name.toLowerCase());
        if (allowance.resourceLevel === "none" && types !== undefined && types.length > 0)
          violations.push(
            `${where}: "${one}" is allowed on "*" as having no resource-level permissions, but AWS lists ` +
              `resource types ${types.join(", ")}; scope it`,
          );
      }
    }
  }
  return violations;
}

/** Condition keys under positive string operators (StringEquals, StringLike, ...; not StringNotEquals). */
function conditionKeys(statement: Obj): Map<string, unknown[]> {
  const keys = new Map<string, unknown[]>();
  const condition = statement.Condition;
  if (!isObj(condition)) return keys;
  for (const [name, operator] of Object.entries(condition))
    if (isObj(operator) && /^(ForAnyValue:|ForAllValues:)?String(Equals|Like)(IgnoreCase)?$/.test(name))
      for (const [key, value] of Object.entries(operator))
        keys.set(key.toLowerCase(), [...(keys.get(key.toLowerCase()) ?? []), ...listOf(value)]);
  return keys;
}

/** iam:PassRole (however granted) only with an iam:PassedToService condition naming a service. */
export function checkPassRole(statements: readonly StatementAt[]): string[] {
  return statements
    .filter(({ statement }) => grants(statement, "iam:PassRole"))
    .flatMap(({ where, statement }) => {
      const services = conditionKeys(statement).get("iam:passedtoservice") ?? [];
      const named = services.length > 0 && services.every((s) => typeof s === "string" && !s.includes("*"));
      return named
        ? []
        : [`${where}: iam:PassRole without an iam:PassedToService condition naming the service`];
    });
}

/** A role ARN (`arn:<partition>:iam::<account>:role/<name>`, the name not all wildcard) or `!GetAtt <Role>.Arn`. */
function isRoleArn(value: unknown, template: CfnTemplate): boolean {
  const att = getAtt(value);
  if (att !== undefined)
    return att[1] === "Arn" && resourceOfType(template, att[0], "AWS::IAM::Role") !== undefined;
  const text = arnText(value);
  const match = text === undefined ? null : /^arn:[^:]+:iam::[^:]*:role\/(.+)$/.exec(text);
  return match !== null && /[^*/]/.test(match[1] ?? "");
}

/** sts:AssumeRole (however granted) only on role ARNs, never on `*`. */
export function checkAssumeRole(statements: readonly StatementAt[], template: CfnTemplate): string[] {
  return statements
    .filter(({ statement }) => grants(statement, "sts:AssumeRole"))
    .flatMap(({ where, statement }) =>
      listOf(statement.Resource)
        .filter((resource) => !isRoleArn(resource, template))
        .map(
          (resource) => `${where}: sts:AssumeRole on ${JSON.stringify(resource)}, which is not a role ARN`,
        ),
    );
}

/** The template's own AWS::IAM::ManagedPolicy an ARN-valued property names (`!Ref P` or `!GetAtt P.PolicyArn`). */
function localManagedPolicy(template: CfnTemplate, arn: unknown): string | undefined {
  const att = getAtt(arn);
  const id = refOf(arn) ?? (att?.[1] === "PolicyArn" ? att[0] : undefined);
  return id !== undefined && resourceOfType(template, id, "AWS::IAM::ManagedPolicy") !== undefined
    ? id
    : undefined;
}

/**
 * Managed policies attached to roles, users and groups must be defined in the template (so their statements are
 * checked above); an AWS managed policy's statements are invisible here, so it needs an explicit allowance.
 */
export function checkManagedPolicies(template: CfnTemplate, allowed: ReadonlyMap<string, string>): string[] {
  const violations: string[] = [];
  for (const [id, resource] of resources(template)) {
    if (!INLINE_POLICY_HOLDERS.has(resource.Type)) continue;
    for (const arn of listOf(resource.Properties?.ManagedPolicyArns)) {
      if (localManagedPolicy(template, arn) !== undefined) continue;
      const name = (arnText(arn) ?? JSON.stringify(arn)).replace(/^arn:[^:]+:iam::aws:policy\//, "");
      if (!allowed.has(name))
        violations.push(
          `${id}: attaches managed policy ${name}, whose statements this check cannot see; use inline ` +
            "least-privilege statements",
        );
    }
  }
  return violations;
}

/** Actions compare case-insensitively in IAM, resources do not; order within a list means nothing. */
function permissionKey(statement: Obj): string {
  const sorted = (value: unknown, fold: boolean) =>
    listOf(value)
      .map((v) => (typeof v === "string" ? (fold ? v.toLowerCase() : v) : JSON.stringify(v)))
      .sort();
  return JSON.stringify([
    statement.Effect,
    sorted(statement.Action, true),
    sorted(statement.NotAction, true),
    sorted(statement.Resource, false),
    sorted(statement.NotResource, false),
  ]);
}

/**
 * No permission (same Effect, Action set and Resource set) written in two places, across every role and policy:
 * copies drift, and a least-privilege fix made to one is missed in the others. Define it once, in an
 * AWS::IAM::ManagedPolicy the roles attach. Run it on the template as written: SAM's generated roles are not copies
 * anyone maintains.
 */
export function checkDuplicateStatements(statements: readonly StatementAt[]): string[] {
  const places = new Map<string, string[]>();
  for (const { where, statement } of statements) {
    const key = permissionKey(statement);
    places.set(key, [...(places.get(key) ?? []), where]);
  }
  return [...places.values()]
    .filter((wheres) => wheres.length > 1)
    .map(
      (wheres) =>
        `${wheres.join(" and ")}: the same permission is defined ${wheres.length} times; define it once in an ` +
        "AWS::IAM::ManagedPolicy and attach that",
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Lambda functions: logs and failure paths

function functions(template: CfnTemplate): Array<[string, CfnResource]> {
  return resources(template).filter(([, resource]) => resource.Type === "AWS::Lambda::Function");
}

function roleStatements(template: CfnTemplate, fn: CfnResource): StatementAt[] {
  return statementsOfRole(template, targetId(fn.Properties?.Role));
}

/** Every role of the template whose own or attached statements allow `action`, with those statements. */
export function rolesGranting(template: CfnTemplate, action: string): Map<string, StatementAt[]> {
  const granting = new Map<string, StatementAt[]>();
  for (const [id, resource] of resources(template)) {
    if (resource.Type !== "AWS::IAM::Role") continue;
    const statements = statementsOfRole(template, id).filter(({ statement }) => grants(statement, action));
    if (statements.length > 0) granting.set(id, statements);
  }
  return granting;
}

/** The statements of a role: inline, the template's managed policies it attaches, policies naming it. */
export function statementsOfRole(template: CfnTemplate, role: string | undefined): StatementAt[] {
  const all = policyStatements(template);
  const attached = new Set([role]);
  // The template's managed policies the role attaches, and AWS::IAM::Policy / ManagedPolicy resources that attach
  // themselves to the role, count as its statements too.
  if (role !== undefined)
    for (const arn of listOf(template.Resources?.[role]?.Properties?.ManagedPolicyArns))
      attached.add(localManagedPolicy(template, arn));
  for (const [id, resource] of resources(template)) {
    if (!POLICY_RESOURCES.has(resource.Type)) continue;
    if (listOf(resource.Properties?.Roles).some((r) => refOf(r) === role)) attached.add(id);
  }
  return all.filter((s) => attached.has(s.holder));
}

function mentions(resource: unknown, logicalId: string): boolean {
  if (targetId(resource) === logicalId) return true;
  const text = isObj(resource) ? resource["Fn::Sub"] : undefined;
  const template = Array.isArray(text) ? text[0] : text;
  return (
    typeof template === "string" &&
    (template.includes(`\${${logicalId}}`) || template.includes(`\${${logicalId}.`))
  );
}

function roleMayOn(template: CfnTemplate, fn: CfnResource, action: string, logicalId: string): boolean {
  return roleStatements(template, fn).some(
    ({ statement }) =>
      grants(statement, action) && listOf(statement.Resource).some((r) => mentions(r, logicalId)),
  );
}

function logGroupNamedFor(template: CfnTemplate, functionId: string): string | undefined {
  return resources(template).find(([, resource]) => {
    if (resource.Type !== "AWS::Logs::LogGroup") return false;
    const name = resource.Properties?.LogGroupName;
    const sub = isObj(name) ? name["Fn::Sub"] : undefined;
    const join = isObj(name) ? name["Fn::Join"] : undefined;
    return (
      sub === `/aws/lambda/\${${functionId}}` ||
      (Array.isArray(join) &&
        join[0] === "" &&
        JSON.stringify(join[1]) === JSON.stringify(["/aws/lambda/", { Ref: functionId }]))
    );
  })?.[0];
}

/**
 * Every function logs to a log group of this template with a retention (LoggingConfig.LogGroup, or a group named
 * /aws/lambda/<function>), and its role may write there (an explicit role has no AWSLambdaBasicExecutionRole).
 */
export function checkFunctionLogs(template: CfnTemplate): string[] {
  return functions(template).flatMap(([id, fn]) => {
    const configured = (fn.Properties?.LoggingConfig as Obj | undefined)?.LogGroup;
    const groupId = refOf(configured) ?? logGroupNamedFor(template, id);
    const group =
      groupId === undefined ? undefined : resourceOfType(template, groupId, "AWS::Logs::LogGroup");
    if (groupId === undefined || group === undefined)
      return [
        `${id}: logs to no AWS::Logs::LogGroup of this template (LoggingConfig.LogGroup or /aws/lambda/${id})`,
      ];
    const violations: string[] = [];
    if (group.Properties?.RetentionInDays === undefined)
      violations.push(`${id}: its log group ${groupId} has no RetentionInDays (logs kept forever)`);
    for (const action of ["logs:CreateLogStream", "logs:PutLogEvents"])
      if (!roleMayOn(template, fn, action, groupId))
        violations.push(`${id}: its role is not granted ${action} on ${groupId}, so its logs are lost`);
    return violations;
  });
}

export type FailurePath =
  /** Asynchronous invocations: EventInvokeConfig OnFailure to a destination the role may write to. */
  | "on-failure-destination"
  /** SQS event source: the queue redrives to a dead-letter queue of the template after maxReceiveCount. */
  | "sqs-redrive";

export interface FailureExpectation {
  readonly path: FailurePath;
  /** Why this path suits the function's triggers. */
  readonly why: string;
}

const DESTINATION_ACTIONS: Record<string, string> = {
  "AWS::SQS::Queue": "sqs:SendMessage",
  "AWS::SNS::Topic": "sns:Publish",
  "AWS::Lambda::Function": "lambda:InvokeFunction",
  "AWS::Events::EventBus": "events:PutEvents",
};

function checkOnFailureDestination(template: CfnTemplate, id: string, fn: CfnResource): string[] {
  const configs = resources(template).filter(
    ([, r]) => r.Type === "AWS::Lambda::EventInvokeConfig" && refOf(r.Properties?.FunctionName) === id,
  );
  if (configs.length === 0)
    return [`${id}: no AWS::Lambda::EventInvokeConfig (asynchronous failures are dropped)`];
  return configs.flatMap(([configId, config]) => {
    const onFailure = ((config.Properties?.DestinationConfig as Obj | undefined)?.OnFailure ?? {}) as Obj;
    const destinationId = targetId(onFailure.Destination);
    const destination = destinationId === undefined ? undefined : template.Resources?.[destinationId];
    const action = destination === undefined ? undefined : DESTINATION_ACTIONS[destination.Type];
    if (destinationId === undefined || action === undefined)
      return [
        `${configId}: ${id} has no OnFailure destination of this template (queue, topic, function or bus)`,
      ];
    if (!roleMayOn(template, fn, action, destinationId))
      return [`${id}: its role is not granted ${action} on its OnFailure destination ${destinationId}`];
    return [];
  });
}

function checkSqsRedrive(template: CfnTemplate, id: string): string[] {
  const mappings = resources(template).filter(
    ([, r]) => r.Type === "AWS::Lambda::EventSourceMapping" && refOf(r.Properties?.FunctionName) === id,
  );
  if (mappings.length === 0) return [`${id}: expected an SQS event source, found none`];
  return mappings.flatMap(([mappingId, mapping]) => {
    const queueId = targetId(mapping.Properties?.EventSourceArn) ?? "";
    const queue = resourceOfType(template, queueId, "AWS::SQS::Queue");
    const redrive = queue?.Properties?.RedrivePolicy as Obj | undefined;
    const dlq = targetId(redrive?.deadLetterTargetArn) ?? "";
    if (queue === undefined) return [`${mappingId}: ${id} reads from no SQS queue of this template`];
    if (
      resourceOfType(template, dlq, "AWS::SQS::Queue") === undefined ||
      redrive?.maxReceiveCount === undefined
    )
      return [`${queueId}: feeds ${id} but has no RedrivePolicy to a dead-letter queue of this template`];
    return [];
  });
}

/**
 * Every function has the failure path its expectation names, and every expectation names a function (so a new
 * function must be documented). Every EventBridge rule or schedule target invoking a function has a
 * DeadLetterConfig: events the service could not deliver are not lost either.
 */
export function checkFailureHandling(
  template: CfnTemplate,
  expectations: Readonly<Record<string, FailureExpectation>>,
): string[] {
  const violations: string[] = [];
  const ids = new Set(functions(template).map(([id]) => id));
  for (const name of Object.keys(expectations))
    if (!ids.has(name))
      violations.push(`${name}: has a failure expectation but is not a function of the template`);
  for (const [id, fn] of functions(template)) {
    const expectation = expectations[id];
    if (expectation === undefined)
      violations.push(`${id}: no failure expectation documented for this function`);
    else if (expectation.path === "on-failure-destination")
      violations.push(...checkOnFailureDestination(template, id, fn));
    else violations.push(...checkSqsRedrive(template, id));
  }
  for (const [id, resource] of resources(template)) {
    const targets =
      resource.Type === "AWS::Events::Rule"
        ? listOf(resource.Properties?.Targets)
        : resource.Type === "AWS::Scheduler::Schedule"
          ? [resource.Properties?.Target]
          : [];
    for (const target of targets.filter(isObj))
      if (
        ids.has(targetId(target.Arn) ?? "") &&
        targetId((target.DeadLetterConfig as Obj | undefined)?.Arn) === undefined
      )
        violations.push(
          `${id}: target ${targetId(target.Arn)} has no DeadLetterConfig for undeliverable events`,
        );
  }
  return violations;
}

// ---------------------------------------------------------------------------------------------------------------
// Dead-letter queues and their alarms

/** Queues of the template that receive failures: redrive targets, OnFailure destinations, rule/schedule DLQs. */
export function deadLetterQueues(template: CfnTemplate): string[] {
  const queues = new Set<string>();
  const add = (value: unknown) => {
    const id = targetId(value);
    if (id !== undefined && resourceOfType(template, id, "AWS::SQS::Queue") !== undefined) queues.add(id);
  };
  for (const [, resource] of resources(template)) {
    const p = resource.Properties ?? {};
    if (resource.Type === "AWS::SQS::Queue") add((p.RedrivePolicy as Obj | undefined)?.deadLetterTargetArn);
    if (resource.Type === "AWS::Lambda::EventInvokeConfig")
      add(((p.DestinationConfig as Obj | undefined)?.OnFailure as Obj | undefined)?.Destination);
    if (resource.Type === "AWS::Events::Rule")
      for (const target of listOf(p.Targets).filter(isObj))
        add((target.DeadLetterConfig as Obj | undefined)?.Arn);
    if (resource.Type === "AWS::Scheduler::Schedule")
      add(((p.Target as Obj | undefined)?.DeadLetterConfig as Obj | undefined)?.Arn);
  }
  return [...queues].sort();
}

/**
 * Each dead-letter queue that exists has an alarm on ApproximateNumberOfMessagesVisible > 0, and no such alarm exists
 * without its queue. `queueNames` are the existing queues as rendered (`X.QueueName`); the alarms are rendered under
 * `conditions` and `parameters`, so they may live in a nested stack that receives the queue names as parameters.
 */
export function checkDeadLetterAlarms(
  template: CfnTemplate,
  conditions: ConditionValues,
  parameters: ParameterValues,
  queueNames: readonly string[],
): string[] {
  const alarms = resourcesUnder(template, conditions)
    .filter(
      ([, { Type, Properties: p = {} }]) =>
        Type === "AWS::CloudWatch::Alarm" &&
        p.Namespace === "AWS/SQS" &&
        p.MetricName === "ApproximateNumberOfMessagesVisible",
    )
    .map(([id, { Properties: p = {} }]) => {
      const dimension = listOf(p.Dimensions)
        .filter(isObj)
        .find((d) => d.Name === "QueueName");
      const queue =
        dimension === undefined ? "" : renderText(template, dimension.Value, conditions, parameters);
      return {
        id,
        queue,
        fires: Number(p.Threshold) === 0 && p.ComparisonOperator === "GreaterThanThreshold",
      };
    });
  const violations: string[] = [];
  for (const name of queueNames) {
    const alarm = alarms.find((a) => a.queue === name);
    if (alarm === undefined)
      violations.push(`${name}: dead-letter queue without an ApproximateNumberOfMessagesVisible alarm`);
    else if (!alarm.fires) violations.push(`${alarm.id}: must fire on more than 0 messages in ${name}`);
  }
  for (const alarm of alarms)
    if (!queueNames.includes(alarm.queue))
      violations.push(
        `${alarm.id}: watches queue "${alarm.queue}", which is no dead-letter queue deployed here`,
      );
  return violations;
}

// ---------------------------------------------------------------------------------------------------------------
// Dashboards and alarms: which metrics they name

/** One metric a graph or alarm reads. Dimension values are rendered (`ref:X`, `X.QueueName`, literal text). */
export interface MetricRef {
  readonly where: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** Condition values to render a template under, e.g. { OrganizationWide: false }. */
export type ConditionValues = Readonly<Record<string, boolean>>;

/** Parameter values a template is deployed with, e.g. { OrganizationId: "" }. */
export type ParameterValues = Readonly<Record<string, string>>;

function parameterValue(template: CfnTemplate, name: string, parameters: ParameterValues): string {
  const given = parameters[name];
  if (given !== undefined) return given;
  const declared = template.Parameters?.[name];
  if (!isObj(declared)) throw new Error(`refers to parameter ${name}, which the template does not declare`);
  if (declared.Default === undefined)
    throw new Error(`no value given for parameter ${name}, which has no default`);
  return String(declared.Default);
}

/** The template's Conditions evaluated under `parameters` (or their defaults), as CloudFormation would. */
export function evaluateConditions(template: CfnTemplate, parameters: ParameterValues): ConditionValues {
  const values: Record<string, boolean> = {};
  const text = (value: unknown): string => {
    if (typeof value === "string") return value;
    // `!Select [i, !Ref List]`: a CommaDelimitedList parameter's i-th item.
    const select = isObj(value) ? value["Fn::Select"] : undefined;
    if (Array.isArray(select) && typeof select[0] === "number")
      return text(select[1]).split(",")[select[0]]?.trim() ?? "";
    const ref = refOf(value);
    if (ref === undefined) throw new Error(`cannot evaluate ${JSON.stringify(value)} in a condition`);
    return parameterValue(template, ref, parameters);
  };
  const holds = (condition: unknown): boolean => {
    if (!isObj(condition)) throw new Error(`cannot evaluate condition ${JSON.stringify(condition)}`);
    if (typeof condition.Condition === "string") return named(condition.Condition);
    const args = (key: string): unknown[] | undefined => {
      const value = condition[key];
      return Array.isArray(value) ? value : undefined;
    };
    const equals = args("Fn::Equals");
    if (equals !== undefined) return text(equals[0]) === text(equals[1]);
    const not = args("Fn::Not");
    if (not !== undefined) return !holds(not[0]);
    const and = args("Fn::And");
    if (and !== undefined) return and.every(holds);
    const or = args("Fn::Or");
    if (or !== undefined) return or.some(holds);
    throw new Error(`cannot evaluate condition ${JSON.stringify(condition)}`);
  };
  const named = (name: string): boolean => {
    const definition = template.Conditions?.[name];
    if (definition === undefined)
      throw new Error(`refers to condition ${name}, which the template does not define`);
    values[name] ??= holds(definition);
    return values[name];
  };
  for (const name of Object.keys(template.Conditions ?? {})) named(name);
  return values;
}

/** The AWS::CloudFormation::Stack resources of `template` (nested stacks, as SAM's transform leaves them). */
export function nestedStacks(template: CfnTemplate): Array<[string, CfnResource]> {
  return resources(template).filter(([, resource]) => resource.Type === "AWS::CloudFormation::Stack");
}

/** What a nested stack receives: its Parameters rendered in the parent, under the parent's deployment. */
export function nestedStackParameters(
  parent: CfnTemplate,
  stack: CfnResource,
  conditions: ConditionValues,
  parameters: ParameterValues,
): ParameterValues {
  const passed = isObj(stack.Properties?.Parameters) ? stack.Properties.Parameters : {};
  return Object.fromEntries(
    Object.entries(passed).map(([name, value]) => [name, renderText(parent, value, conditions, parameters)]),
  );
}

/**
 * A nested stack passes every parameter its template declares without a default (CloudFormation refuses the stack
 * otherwise), and none it does not declare.
 */
export function checkNestedStackParameters(stack: CfnResource, nested: CfnTemplate): string[] {
  const passed = Object.keys(isObj(stack.Properties?.Parameters) ? stack.Properties.Parameters : {});
  const declared = Object.entries(nested.Parameters ?? {});
  return [
    ...declared
      .filter(([name, p]) => !(isObj(p) && "Default" in p) && !passed.includes(name))
      .map(([name]) => `${name}: declared without a default, but not passed`),
    ...passed
      .filter((name) => !declared.some(([known]) => known === name))
      .map((name) => `${name}: passed, but the nested template does not declare it`),
  ];
}

function conditionHolds(resource: CfnResource, conditions: ConditionValues): boolean {
  if (resource.Condition === undefined) return true;
  const value = conditions[resource.Condition];
  if (value === undefined) throw new Error(`no value given for condition ${resource.Condition}`);
  return value;
}

/** The resources that exist under `conditions`. */
export function resourcesUnder(
  template: CfnTemplate,
  conditions: ConditionValues,
): Array<[string, CfnResource]> {
  return resources(template).filter(([, resource]) => conditionHolds(resource, conditions));
}

/**
 * Renders Fn::Join / Fn::Sub / Fn::If / Ref / Fn::GetAtt to text: `${AWS::Region}` → us-east-1, `${X}` → ref:X,
 * `${X.Attr}` → X.Attr, a parameter → its value in `parameters` (param:X when none is given). Referring to a
 * resource that does not exist under `conditions` throws, as CloudFormation would refuse the template.
 */
export function renderText(
  template: CfnTemplate,
  value: unknown,
  conditions: ConditionValues,
  parameters: ParameterValues = {},
): string {
  const name = (id: string): string => {
    if (id.startsWith("AWS::")) return id === "AWS::Region" ? "us-east-1" : `${id}`;
    const [logicalId = "", attribute] = id.split(".");
    const resource = template.Resources?.[logicalId];
    if (resource !== undefined) {
      if (!conditionHolds(resource, conditions))
        throw new Error(`refers to ${logicalId}, which does not exist under ${JSON.stringify(conditions)}`);
      return attribute === undefined ? `ref:${logicalId}` : `${logicalId}.${attribute}`;
    }
    if (template.Parameters?.[logicalId] !== undefined) return parameters[logicalId] ?? `param:${logicalId}`;
    throw new Error(`refers to ${id}, which the template does not define`);
  };
  if (typeof value === "string") return value;
  if (!isObj(value)) throw new Error(`cannot render ${JSON.stringify(value)}`);
  if (typeof value.Ref === "string") return name(value.Ref);
  const att = getAtt(value);
  if (att !== undefined) return name(att.join("."));
  const join = value["Fn::Join"];
  // `!Join [",", !Ref SomeList]`: a list parameter's value is given comma-separated already.
  if (Array.isArray(join) && join[0] === "," && !Array.isArray(join[1]))
    return renderText(template, join[1], conditions, parameters);
  if (Array.isArray(join) && Array.isArray(join[1]))
    return join[1]
      .map((part: unknown) => renderText(template, part, conditions, parameters))
      .join(String(join[0]));
  const sub = value["Fn::Sub"];
  if (typeof sub === "string") return sub.replace(/\$\{([^}!][^}]*)\}/g, (_, id: string) => name(id));
  const branches = value["Fn::If"];
  if (Array.isArray(branches) && typeof branches[0] === "string") {
    const holds = conditions[branches[0]];
    if (holds === undefined) throw new Error(`no value given for condition ${branches[0]}`);
    return renderText(template, holds ? branches[1] : branches[2], conditions, parameters);
  }
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

/**
 * Identifiers an expression uses (lower-case first letter; functions such as FILL are upper case). Quoted text (a
 * SEARCH expression's query) names no ids.
 */
function expressionIds(expression: string): string[] {
  const unquoted = expression.replace(/'[^']*'/g, "''");
  return [...unquoted.matchAll(/\b([a-z][A-Za-z0-9_]*)\b(?!\s*\()/g)].map((m) => m[1] ?? "");
}

/**
 * The metrics a SEARCH expression reads: `SEARCH('{Namespace,dim,…} MetricName="X"', …)` matches metrics with
 * exactly that dimension set, any value (`*`).
 */
function searchedMetrics(expression: string, where: string): MetricRef[] {
  return [...expression.matchAll(/SEARCH\(\s*'\{([^}]*)\}\s+MetricName="([^"]+)"'/g)].map((match) => {
    const [namespace = "", ...dimensionNames] = (match[1] ?? "").split(",").map((part) => part.trim());
    return {
      where,
      namespace,
      metricName: match[2] ?? "",
      dimensions: Object.fromEntries(dimensionNames.map((name) => [name, "*"])),
    };
  });
}

/**
 * The metrics of every metric widget of a dashboard body (the "." shorthand resolved against the row above), and
 * violations for expressions naming ids their widget does not define.
 */
export function dashboardMetrics(body: unknown): { metrics: MetricRef[]; violations: string[] } {
  const metrics: MetricRef[] = [];
  const violations: string[] = [];
  const widgets = isObj(body) && Array.isArray(body.widgets) ? body.widgets : [];
  widgets.filter(isObj).forEach((widget, index) => {
    const properties = isObj(widget.properties) ? widget.properties : {};
    const where = `widget ${index} "${String(properties.title ?? widget.type)}"`;
    if (widget.type !== "metric") return;
    const rows = Array.isArray(properties.metrics) ? properties.metrics : [];
    const ids = new Set<string>();
    const expressions: string[] = [];
    let previous: unknown[] = [];
    for (const row of rows.filter(Array.isArray) as unknown[][]) {
      const last = row.at(-1);
      const options = isObj(last) ? last : {};
      if (typeof options.id === "string") ids.add(options.id);
      if (typeof options.expression === "string") {
        expressions.push(options.expression);
        metrics.push(...searchedMetrics(options.expression, where));
        continue;
      }
      const fields = (isObj(last) ? row.slice(0, -1) : row).map((field, i) =>
        field === "." ? previous[i] : field,
      );
      previous = fields;
      const [namespace, metricName, ...pairs] = fields.map(String);
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < pairs.length; i += 2) dimensions[pairs[i] ?? ""] = pairs[i + 1] ?? "";
      metrics.push({ where, namespace: namespace ?? "", metricName: metricName ?? "", dimensions });
    }
    for (const expression of expressions)
      for (const id of expressionIds(expression))
        if (!ids.has(id)) violations.push(`${where}: expression "${expression}" uses undefined id ${id}`);
  });
  return { metrics, violations };
}

/**
 * The metrics every alarm of the template reads (single metric or metric math), rendered under `conditions` and
 * `parameters`.
 */
export function alarmMetrics(
  template: CfnTemplate,
  conditions: ConditionValues,
  parameters: ParameterValues = {},
): { metrics: MetricRef[]; violations: string[] } {
  const metrics: MetricRef[] = [];
  const violations: string[] = [];
  const metricOf = (where: string, namespace: unknown, metricName: unknown, dimensions: unknown) => {
    const rendered: Record<string, string> = {};
    for (const d of listOf(dimensions).filter(isObj))
      rendered[String(d.Name)] = renderText(template, d.Value, conditions, parameters);
    metrics.push({
      where,
      namespace: String(namespace),
      metricName: String(metricName),
      dimensions: rendered,
    });
  };
  for (const [id, alarm] of resourcesUnder(template, conditions)) {
    if (alarm.Type !== "AWS::CloudWatch::Alarm") continue;
    const p = alarm.Properties ?? {};
    if (p.MetricName !== undefined) metricOf(id, p.Namespace, p.MetricName, p.Dimensions);
    const queries = listOf(p.Metrics).filter(isObj);
    const ids = new Set(queries.map((q) => String(q.Id)));
    for (const query of queries) {
      const metric = (query.MetricStat as Obj | undefined)?.Metric as Obj | undefined;
      if (metric !== undefined)
        metricOf(`${id}/${String(query.Id)}`, metric.Namespace, metric.MetricName, metric.Dimensions);
      if (typeof query.Expression === "string")
        for (const used of expressionIds(query.Expression))
          if (!ids.has(used)) violations.push(`${id}: expression uses undefined id ${used}`);
    }
    if (queries.length > 0 && queries.filter((q) => q.ReturnData !== false).length !== 1)
      violations.push(`${id}: exactly one query must return data`);
  }
  return { metrics, violations };
}

/** A metric the code emits: its name and the exact dimension set of its EMF documents ("*": any value). */
export interface EmittedMetric {
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, readonly string[]>>;
}

/**
 * Every metric of `namespace` a graph or alarm reads must be one the code emits, with exactly one of the dimension
 * sets it is emitted under (CloudWatch matches the set exactly) and a value it takes.
 */
export function checkEmittedMetrics(
  metrics: readonly MetricRef[],
  namespace: string,
  emitted: readonly EmittedMetric[],
): string[] {
  return metrics
    .filter((metric) => metric.namespace === namespace)
    .flatMap((metric) => {
      const names = Object.keys(metric.dimensions).sort().join(",");
      const match = emitted.some(
        (e) =>
          e.metricName === metric.metricName &&
          Object.keys(e.dimensions).sort().join(",") === names &&
          Object.entries(metric.dimensions).every(
            ([k, v]) => v === "*" || e.dimensions[k]?.includes(v) || e.dimensions[k]?.includes("*"),
          ),
      );
      return match
        ? []
        : [`${metric.where}: ${metric.metricName} ${JSON.stringify(metric.dimensions)} is never emitted so`];
    });
}

// ---------------------------------------------------------------------------------------------------------------
// What each function may do as deployed: statements under a deployment's conditions

/** `value` with every Fn::If decided by `conditions`; AWS::NoValue becomes undefined (and drops out of lists). */
export function decide(value: unknown, conditions: ConditionValues): unknown {
  if (Array.isArray(value))
    return value.map((item) => decide(item, conditions)).filter((item) => item !== undefined);
  if (!isObj(value)) return value;
  if (isNoValue(value)) return undefined;
  const branches = value["Fn::If"];
  if (Array.isArray(branches) && typeof branches[0] === "string") {
    const holds = conditions[branches[0]];
    if (holds === undefined) throw new Error(`no value given for condition ${branches[0]}`);
    return decide(holds ? branches[1] : branches[2], conditions);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decide(v, conditions)]));
}

/** One action an existing function's role allows, on one rendered resource, with the statement's Condition. */
export interface Grant {
  readonly functionId: string;
  readonly action: string;
  readonly resource: string;
  readonly condition?: unknown;
}

/**
 * Every Allow of every function's role (inline and attached template managed policies) that exists under
 * `conditions`, each action and resource rendered with `parameters`: what the deployment really grants.
 */
export function functionGrants(
  template: CfnTemplate,
  conditions: ConditionValues,
  parameters: ParameterValues,
): Grant[] {
  const existing = new Map(resourcesUnder(template, conditions));
  const grants: Grant[] = [];
  const documentsOf = (roleId: string): unknown[] => {
    const role = decide(existing.get(roleId)?.Properties, conditions);
    if (!isObj(role)) return [];
    const inline = (Array.isArray(role.Policies) ? role.Policies : []).map((p) =>
      isObj(p) ? p.PolicyDocument : undefined,
    );
    const managed = (Array.isArray(role.ManagedPolicyArns) ? role.ManagedPolicyArns : []).map((arn) => {
      const id = refOf(arn);
      const policy = id === undefined ? undefined : existing.get(id);
      if (id !== undefined && policy === undefined && template.Resources?.[id] !== undefined)
        throw new Error(`${roleId} attaches ${id}, which does not exist under these conditions`);
      return decide(policy?.Properties?.PolicyDocument, conditions);
    });
    return [...inline, ...managed];
  };
  for (const [functionId, fn] of existing) {
    if (fn.Type !== "AWS::Lambda::Function") continue;
    const roleId = targetId(fn.Properties?.Role);
    if (roleId === undefined) continue;
    for (const document of documentsOf(roleId)) {
      const statements = isObj(document) ? document.Statement : undefined;
      for (const statement of Array.isArray(statements) ? statements : [statements]) {
        if (!isObj(statement) || statement.Effect !== "Allow") continue;
        const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
        const targets = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        for (const action of actions)
          for (const target of targets)
            grants.push({
              functionId,
              action: String(action),
              resource: renderText(template, target, conditions, parameters),
              ...(statement.Condition === undefined ? {} : { condition: statement.Condition }),
            });
      }
    }
  }
  return grants;
}

// ---------------------------------------------------------------------------------------------------------------
// Who may use what the template deploys: service principals, Lambda permissions, event bus policies

/** Condition keys (lower-cased) under any operator that admits on a match (not a Not… operator, not Null). */
function admittingConditionKeys(statement: Obj): Set<string> {
  const keys = new Set<string>();
  const condition = statement.Condition;
  if (!isObj(condition)) return keys;
  for (const [operator, entries] of Object.entries(condition))
    if (isObj(entries) && !/Not|^Null$/.test(operator))
      for (const key of Object.keys(entries)) keys.add(key.toLowerCase());
  return keys;
}

const SOURCE_KEYS = ["aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid"];

function servicePrincipals(statement: Obj): string[] {
  const principal = statement.Principal;
  return isObj(principal) ? listOf(principal.Service).filter((s): s is string => typeof s === "string") : [];
}

/**
 * A role an AWS service assumes on someone's behalf (EventBridge, Scheduler, SSM…) names in its trust policy whose
 * behalf: aws:SourceAccount, aws:SourceArn or aws:SourceOrgID, so another account's schedule or rule cannot use it
 * (the confused deputy). Services that assume a role only for the resource that names it (Lambda) are exempt.
 */
export function checkServiceTrust(template: CfnTemplate, exempt: readonly string[]): string[] {
  return resources(template)
    .filter(([, resource]) => resource.Type === "AWS::IAM::Role")
    .flatMap(([id, role]) => {
      const trust = role.Properties?.AssumeRolePolicyDocument;
      return listOf(isObj(trust) ? trust.Statement : undefined)
        .filter(isObj)
        .flatMap((statement) => {
          const services = servicePrincipals(statement).filter((service) => !exempt.includes(service));
          if (services.length === 0 || !isAllow(statement)) return [];
          const keys = admittingConditionKeys(statement);
          return SOURCE_KEYS.some((key) => keys.has(key))
            ? []
            : [
                `${id}: ${services.join(", ")} may assume it without an aws:SourceAccount/SourceArn condition`,
              ];
        });
    });
}

/**
 * A Lambda permission for an AWS service names the source (SourceAccount or SourceArn); one that cannot, because
 * CloudFormation offers no restriction AWS supports for it, needs an allowance saying why.
 */
export function checkLambdaPermissionSources(
  template: CfnTemplate,
  allowed: ReadonlyMap<string, string>,
): string[] {
  return resources(template)
    .filter(([, resource]) => resource.Type === "AWS::Lambda::Permission")
    .flatMap(([id, permission]) => {
      const properties = permission.Properties ?? {};
      const principal = properties.Principal;
      if (typeof principal !== "string" || !principal.endsWith(".amazonaws.com")) return [];
      const restricted = properties.SourceAccount !== undefined || properties.SourceArn !== undefined;
      if (restricted) return allowed.has(id) ? [`${id}: restricted now; drop its allowance`] : [];
      return allowed.has(id)
        ? []
        : [`${id}: ${principal} may invoke it from any account (no SourceAccount/SourceArn)`];
    });
}

/** An event bus open to an organization (Principal "*") admits only its members, and only the events it expects. */
export function checkEventBusPolicies(template: CfnTemplate): string[] {
  return resources(template)
    .filter(([, resource]) => resource.Type === "AWS::Events::EventBusPolicy")
    .flatMap(([id, policy]) =>
      listOf(policy.Properties?.Statement)
        .filter(isObj)
        .filter((statement) => isAllow(statement) && statement.Principal === "*")
        .flatMap((statement) => {
          const keys = admittingConditionKeys(statement);
          return ["aws:principalorgid", "events:source", "events:detail-type"]
            .filter((key) => !keys.has(key))
            .map((key) => `${id}: PutEvents from any principal without a ${key} condition`);
        }),
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Which roles hold what the code needs

/** The actions of `actions` that no Allow of these statements grants. */
export function missingActions(statements: readonly StatementAt[], actions: readonly string[]): string[] {
  return actions.filter((action) => !statements.some(({ statement }) => grants(statement, action)));
}

/** The role a function runs with (its Role property, `!GetAtt X.Arn`). */
export function roleOfFunction(fn: CfnResource): string | undefined {
  return targetId(fn.Properties?.Role);
}

/** The logical ids of `!GetAtt X.Arn` values in a (possibly joined) list, e.g. a stack set's TrustedRoleArns. */
export function getAttIds(value: unknown): string[] {
  const join = isObj(value) ? value["Fn::Join"] : undefined;
  const parts = Array.isArray(join) ? listOf(join[1]) : listOf(value);
  return parts.flatMap((part) => {
    const att = getAtt(part);
    return att === undefined ? [] : [att[0]];
  });
}
