/**
 * Runs `each` over `items` a few at a time, keeping their order in the results: a test graph runs on the test's own
 * thread, so side by side only one request's database wait overlaps another's work, and more at once adds nothing.
 */
export async function sideBySide<T, R>(items: readonly T[], concurrency: number, each: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) results[index] = await each(items[index]!, index);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}
