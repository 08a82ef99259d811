// Pure: when an exemption's `expires` ends it. A module of its own, without zod, because the decision (resolve.ts)
// needs it at every cold start while the schema is a chunk loaded with the parser.

/**
 * The instant an exemption's `expires` ends it (epoch milliseconds): a date lasts through its end in UTC, a
 * date-time with a zone ends at that instant. Undefined when the text is neither (or names no real day).
 */
export function exemptionEnd(expires: string): number | undefined {
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(expires);
  if (date) {
    const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const start = Date.UTC(year, month - 1, day);
    // Date.UTC rolls 2026-02-30 over to March; a real day comes back as itself.
    const real = new Date(start);
    if (real.getUTCFullYear() !== year || real.getUTCMonth() !== month - 1 || real.getUTCDate() !== day)
      return undefined;
    return start + 24 * 60 * 60 * 1000;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/.test(expires))
    return undefined;
  const instant = Date.parse(expires);
  return Number.isNaN(instant) ? undefined : instant;
}
