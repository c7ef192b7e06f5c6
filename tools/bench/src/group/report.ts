import type { LatencySummary } from '../protocol.js';

/** What the group scenario (scenario.ts) measures, and its Markdown; no client code, so reports import it freely. */
export interface GroupScenarioOptions {
  members: number;
  messages: number;
  /** Messages per second. */
  rate: number;
}

export interface GroupPhaseResult {
  phase: string;
  messages: number;
  deliveries: number;
  missing: number;
  ack: LatencySummary;
  perMember: LatencySummary;
  allMembers: LatencySummary;
}

function row(result: GroupPhaseResult): string {
  const cells = [result.ack, result.perMember, result.allMembers].flatMap(({ p50, p99, max }) =>
    [p50, p99, max].map((ms) => ms.toFixed(1)),
  );
  return `| ${result.phase} | ${result.messages} | ${result.deliveries} | ${result.missing} | ${cells.join(' | ')} |`;
}

/** The scenario's results as a Markdown section. */
export function groupMarkdown(
  results: GroupPhaseResult[],
  options: GroupScenarioOptions,
  gateways: number,
): string {
  return [
    `${options.members}-member group, ${options.messages} messages at ${options.rate}/s from rotating senders, members on ${gateways} gateway(s); milliseconds from send`,
    '',
    '| phase | messages | deliveries | missing | ack p50 | ack p99 | ack max | per member p50 | per member p99 | per member max | all members p50 | all members p99 | all members max |',
    '| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
    ...results.map(row),
    '',
  ].join('\n');
}
