// Splitting work into API-sized batches and running tasks with bounded concurrency: the two shapes every batched
// AWS call of the product takes (CreateFlowLogs, DescribeFlowLogs filters, PutEvaluations, SendMessageBatch, scans).

/** `items` in consecutive slices of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/**
 * Runs `task` on every item, at most `concurrency` at once, and returns the results in the items' order whatever
 * order they finish in. A task that throws rejects the whole run; callers that must carry on catch inside `task`.
 */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      const item = items[index];
      if (item !== undefined) results[index] = await task(item, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}
