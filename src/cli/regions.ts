// Pure: the regions a command asked for, checked against the ones EC2 lists, with a suggestion for a typo.
import { isRegionName, type RegionName } from "../domain/resources.js";
import { UnknownRegionError } from "../errors.js";
import type { RegionInfo } from "../gateways/caller-session.js";

export function enabledRegions(regions: readonly RegionInfo[]): RegionName[] {
  return regions
    .filter((region) => region.optInStatus !== "not-opted-in")
    .map((region) => region.name)
    .filter(isRegionName);
}

/** Throws UnknownRegionError naming every requested region that is unknown or not enabled. */
export function checkRegions(
  requested: readonly string[],
  known: readonly RegionInfo[],
  accountId: string,
): void {
  const byName = new Map(known.map((region) => [region.name, region]));
  const unknown = requested.filter((name) => !byName.has(name));
  if (unknown.length > 0) {
    const hints = unknown.flatMap((name) => {
      const guess = closest(name, [...byName.keys()]);
      return guess === undefined ? [] : [`did you mean ${guess} for ${name}?`];
    });
    throw new UnknownRegionError(
      unknown,
      hints.length > 0
        ? hints.join(" ")
        : `AWS lists no such region (known: ${[...byName.keys()].join(", ")})`,
    );
  }
  const disabled = requested.filter((name) => byName.get(name)?.optInStatus === "not-opted-in");
  if (disabled.length > 0)
    throw new UnknownRegionError(
      disabled,
      `not enabled for account ${accountId} (an opt-in region: enable it in the account settings, or leave it out)`,
    );
}

/** The candidate within two edits of `name`, if exactly one is nearest (a typo's likely meaning). */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const scored = candidates
    .map((candidate) => ({ candidate, distance: editDistance(name, candidate) }))
    .filter(({ distance }) => distance <= 2)
    .sort((a, b) => a.distance - b.distance);
  const [best, second] = scored;
  return best !== undefined && (second === undefined || second.distance > best.distance)
    ? best.candidate
    : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
