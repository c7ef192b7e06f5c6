import type { AppProcess } from '@chat/harness';

/** The value of the series `name` whose labels include `labels`, in a Prometheus text exposition; or undefined. */
export function metricSample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    const match = line.match(/^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/);
    if (!match || match[1] !== name) continue;
    const present = match[2] ?? '';
    if (Object.entries(labels).every(([key, value]) => present.includes(`${key}="${value}"`))) {
      return Number(match[3]);
    }
  }
  return undefined;
}

/** An app's `/metrics` text (the gateway's on its server port, the persister's on its health port). */
export async function scrapeMetrics(app: AppProcess): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${app.port}/metrics`);
  if (!response.ok) throw new Error(`/metrics of the ${app.name} answered ${response.status}`);
  return response.text();
}
