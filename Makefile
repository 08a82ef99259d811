# `sam build` runs one target per function (template.yaml: `BuildMethod: makefile`), with ARTIFACTS_DIR set to that
# function's artifact directory. Every target is the same build `npm run build` does (scripts/build.mjs: esbuild, ESM,
# minified, source maps, code splitting), so the code Lambda runs is byte for byte the code the tests and benchmarks
# run. SAM's own esbuild method cannot split code; see scripts/build.mjs for why that matters to cold starts.
#
# Run `npm ci` first: the build uses the project's installed esbuild and dependencies.

BUILD = node scripts/build.mjs --outdir "$(ARTIFACTS_DIR)" --handler

.PHONY: check-install build-EventEnforcerFunction build-ConfigRuleFunction build-ConfigRemediationFunction \
	build-OrgSweepFunction build-SweepWorkerFunction build-PolicyAuditFunction

check-install:
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set (sam build sets it)" >&2; exit 1; }
	@test -d node_modules/esbuild || { echo "node_modules is missing: run npm ci before sam build" >&2; exit 1; }

build-EventEnforcerFunction: check-install
	$(BUILD) event-enforcer

build-ConfigRuleFunction: check-install
	$(BUILD) config-rule

build-ConfigRemediationFunction: check-install
	$(BUILD) config-remediation

build-OrgSweepFunction: check-install
	$(BUILD) org-sweep

build-SweepWorkerFunction: check-install
	$(BUILD) sweep-worker

build-PolicyAuditFunction: check-install
	$(BUILD) policy-audit
