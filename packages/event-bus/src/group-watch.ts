import { type Admin, AssignerProtocol, type GroupDescription } from 'kafkajs';

/** What a consumer group is doing for its topics, as far as one describe of the group tells. */
export interface GroupStatus {
  /**
   * The group has members, so commands published now will be consumed. A member killed without leaving stays
   * listed until its session times out: for that long this says alive although nobody consumes.
   */
  alive: boolean;
  /** Why the group does not own every partition of its topics right now; absent when it does. */
  problem?: string;
}

/** Judges one group description against the partition counts of the topics the group must own. */
export function judgeGroup(
  groupId: string,
  group: GroupDescription | undefined,
  partitions: ReadonlyMap<string, number>,
): GroupStatus {
  const state = group?.state ?? 'Unknown';
  if (!group || group.members.length === 0 || state === 'Empty' || state === 'Dead') {
    return { alive: false, problem: `no persister is running: consumer group ${groupId} is ${state}` };
  }
  if (state !== 'Stable') {
    return { alive: true, problem: `consumer group ${groupId} is rebalancing (${state})` };
  }
  const owned = new Set<string>();
  for (const member of group.members) {
    if (member.memberAssignment.length === 0) continue;
    const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
    for (const [topic, list] of Object.entries(decoded?.assignment ?? {})) {
      for (const partition of list) owned.add(`${topic}[${partition}]`);
    }
  }
  const unowned = [...partitions].flatMap(([topic, count]) =>
    Array.from({ length: count }, (_, partition) => `${topic}[${partition}]`).filter((p) => !owned.has(p)),
  );
  if (unowned.length > 0) {
    return { alive: true, problem: `partitions without a consumer in ${groupId}: ${unowned.join(', ')}` };
  }
  return { alive: true };
}

/** The longest `fresh()` waits for a description before it answers with the last one. */
const FRESH_WAIT_MS = 500;

/**
 * Describes another process's consumer group every `intervalMs` (one DescribeGroups and one Metadata request)
 * and keeps the last verdict, so readiness checks and request handlers read it without waiting.
 */
export class GroupWatch {
  private status: GroupStatus = { alive: true, problem: 'not described yet' };
  private describedAt = 0;
  private describing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly admin: Admin,
    private readonly groupId: string,
    private readonly topics: string[],
    private readonly intervalMs: number,
  ) {}

  current(): GroupStatus {
    return this.status;
  }

  /**
   * The verdict, described again first when the last description is older than `maxAgeMs` (callers at the same
   * moment share one description): for a decision that must not rest on a second-old view. Waits at most
   * FRESH_WAIT_MS for Kafka, then answers with what it has.
   */
  async fresh(maxAgeMs: number): Promise<GroupStatus> {
    if (Date.now() - this.describedAt > maxAgeMs) {
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, FRESH_WAIT_MS);
      });
      await Promise.race([this.describe(), gaveUp]);
      clearTimeout(timer);
    }
    return this.status;
  }

  async start(): Promise<void> {
    await this.admin.connect();
    await this.refresh();
  }

  private async refresh(): Promise<void> {
    await this.describe();
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.refresh(), this.intervalMs);
      this.timer.unref();
    }
  }

  private describe(): Promise<void> {
    this.describing ??= this.describeNow().finally(() => {
      this.describing = undefined;
    });
    return this.describing;
  }

  private async describeNow(): Promise<void> {
    try {
      const [metadata, description] = await Promise.all([
        this.admin.fetchTopicMetadata({ topics: this.topics }),
        this.admin.describeGroups([this.groupId]),
      ]);
      const partitions = new Map(metadata.topics.map((topic) => [topic.name, topic.partitions.length]));
      this.status = judgeGroup(this.groupId, description.groups[0], partitions);
      this.describedAt = Date.now();
    } catch (error) {
      // Not knowing is not "nobody is there": sends still go out (and fail by themselves if Kafka is down).
      this.status = {
        alive: true,
        problem: `could not describe consumer group ${this.groupId}: ${(error as Error).message}`,
      };
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.admin.disconnect();
  }
}
