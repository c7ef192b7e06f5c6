import type { Message, TopicMessages } from 'kafkajs';

interface Pending {
  parts: TopicMessages[];
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Below Kafka's default 1 MB record-batch limit, with room for headers and framing. */
const MAX_REQUEST_BYTES = 512 * 1024;

/**
 * Coalesces concurrent publishes into one produce request. While a request is in flight (the idempotent
 * producer allows one), new publishes queue up and leave together in the next: batching that adapts to load.
 * A publish that finds the outbox idle leaves at the end of the current event-loop turn, with every publish
 * made in that turn (the sends of all the socket packets read in one poll, or the facts of every partition a
 * store answered), or after `lingerMs` when that is set, for more company at the cost of latency. Every
 * produce request costs the broker and this process far more than a record in it does. Order is kept: queue
 * order is send order.
 */
export class Outbox {
  private readonly queue: Pending[] = [];
  private sending = false;
  /** The drain scheduled for a publish that found the outbox idle. */
  private scheduled = false;

  constructor(
    private readonly send: (batch: TopicMessages[]) => Promise<unknown>,
    private readonly lingerMs = 0,
  ) {}

  enqueue(topic: string, messages: Message[]): Promise<void> {
    return this.enqueueAll([{ topic, messages }]);
  }

  /** Records for several topics that leave in the same request (or, above the size limit, in order). */
  enqueueAll(parts: TopicMessages[]): Promise<void> {
    const bytes = parts
      .flatMap((part) => part.messages)
      .reduce((sum, message) => sum + (message.value?.length ?? 0), 0);
    return new Promise((resolve, reject) => {
      this.queue.push({ parts, bytes, resolve, reject });
      if (this.sending || this.scheduled) return;
      this.scheduled = true;
      const drain = () => {
        this.scheduled = false;
        void this.drain();
      };
      if (this.lingerMs === 0) setImmediate(drain);
      else setTimeout(drain, this.lingerMs);
    });
  }

  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let bytes = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0] as Pending;
      if (batch.length > 0 && bytes + next.bytes > MAX_REQUEST_BYTES) break;
      batch.push(this.queue.shift() as Pending);
      bytes += next.bytes;
    }
    return batch;
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        const byTopic = new Map<string, Message[]>();
        for (const { topic, messages } of batch.flatMap((item) => item.parts))
          byTopic.set(topic, [...(byTopic.get(topic) ?? []), ...messages]);
        try {
          await this.send([...byTopic].map(([topic, messages]) => ({ topic, messages })));
          for (const item of batch) item.resolve();
        } catch (error) {
          for (const item of batch) item.reject(error);
        }
      }
    } finally {
      this.sending = false;
    }
  }
}
