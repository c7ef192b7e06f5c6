/**
 * Runs message writes one job at a time, and merges queued batches into one job.
 *
 * The persister consumes several partitions at once, so Kafka fetching and decoding overlap, but its message
 * writes go through here: the `message.sent` batches of all partitions that arrive while a write is running
 * are stored together by the next one (one insertMany and one bulkWrite instead of one per partition). This is
 * batching, not a lock: every conversation update is a commutative `$max`, and MongoDB applies each one
 * atomically, so read markers and other writers never need to queue here.
 */
export class SerialWriter {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `job` after every job queued before it. */
  exclusive<R>(job: () => Promise<R>): Promise<R> {
    const result = this.tail.then(job);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /**
   * A function that queues `items` and resolves with their results; items queued while a merged job waits for
   * its turn join that job. `run` gets the items of every caller in queue order and returns one result per item.
   */
  merging<T, R>(run: (items: T[]) => Promise<R[]>): (items: T[]) => Promise<R[]> {
    let open: { items: T[]; done: Promise<R[]> } | undefined;
    return (items) => {
      if (!open) {
        const batch: { items: T[]; done: Promise<R[]> } = { items: [], done: Promise.resolve([]) };
        batch.done = this.exclusive(() => {
          // From here on, new callers start the next merged job.
          if (open === batch) open = undefined;
          return run(batch.items);
        });
        open = batch;
      }
      const batch = open;
      const start = batch.items.length;
      batch.items.push(...items);
      return batch.done.then((results) => results.slice(start, start + items.length));
    };
  }
}
