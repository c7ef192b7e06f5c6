import type { BenchReport, SweepReport } from './report.js';

const colors: Record<string, string> = {
  ours: '#d62728',
  relay: '#1f77b4',
  'kafka-relay': '#2ca02c',
  'direct-write': '#9467bd',
};

interface Series {
  label: string;
  color: string;
  dashed: boolean;
  points: Array<[number, number]>;
}

const escapeXml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;');

/** One log-log line chart as an SVG string; both axes are offered rate or latency, which span decades. */
function logLogChart(title: string, yLabel: string, series: Series[]): string {
  const width = 560;
  const height = 360;
  const margin = { left: 64, right: 150, top: 32, bottom: 48 };
  const all = series.flatMap((line) => line.points).filter(([x, y]) => x > 0 && y > 0);
  if (all.length === 0) return `<p>${escapeXml(title)}: no data</p>`;
  const decade = (value: number, round: (n: number) => number) => 10 ** round(Math.log10(value));
  const xMin = decade(Math.min(...all.map(([x]) => x)), Math.floor);
  const xMax = decade(Math.max(...all.map(([x]) => x)), Math.ceil);
  const yMin = decade(Math.min(...all.map(([, y]) => y)), Math.floor);
  const yMax = decade(Math.max(...all.map(([, y]) => y)), Math.ceil);
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const x = (value: number) =>
    margin.left +
    ((Math.log10(value) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin) || 1)) * plotWidth;
  const y = (value: number) =>
    margin.top +
    plotHeight -
    ((Math.log10(value) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin) || 1)) * plotHeight;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<text x="${width / 2 - 60}" y="18" font-size="13" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (let tick = xMin; tick <= xMax; tick *= 10) {
    parts.push(
      `<line x1="${x(tick)}" y1="${margin.top}" x2="${x(tick)}" y2="${margin.top + plotHeight}" stroke="#ddd"/>`,
      `<text x="${x(tick) - 8}" y="${margin.top + plotHeight + 14}">${tick}</text>`,
    );
  }
  for (let tick = yMin; tick <= yMax; tick *= 10) {
    parts.push(
      `<line x1="${margin.left}" y1="${y(tick)}" x2="${margin.left + plotWidth}" y2="${y(tick)}" stroke="#ddd"/>`,
      `<text x="${margin.left - 40}" y="${y(tick) + 4}">${tick}</text>`,
    );
  }
  parts.push(
    `<text x="${margin.left + plotWidth / 2 - 50}" y="${height - 10}">offered msg/s (log)</text>`,
    `<text x="12" y="${margin.top + plotHeight / 2}" transform="rotate(-90 12 ${margin.top + plotHeight / 2})">${escapeXml(yLabel)}</text>`,
  );
  series.forEach((line, index) => {
    const points = line.points.filter(([px, py]) => px > 0 && py > 0);
    const path = points.map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ');
    parts.push(
      `<polyline points="${path}" fill="none" stroke="${line.color}" stroke-width="2"${line.dashed ? ' stroke-dasharray="5 4"' : ''}/>`,
      ...points.map(([px, py]) => `<circle cx="${x(px)}" cy="${y(py)}" r="2.5" fill="${line.color}"/>`),
      `<line x1="${width - margin.right + 10}" y1="${margin.top + 10 + index * 16}" x2="${width - margin.right + 34}" y2="${margin.top + 10 + index * 16}" stroke="${line.color}" stroke-width="2"${line.dashed ? ' stroke-dasharray="5 4"' : ''}/>`,
      `<text x="${width - margin.right + 38}" y="${margin.top + 14 + index * 16}">${escapeXml(line.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

const color = (sweep: SweepReport) => colors[sweep.target] ?? '#555';

/** A self-contained page (inline SVG, no scripts, no network) to sit next to the Markdown summary. */
export function toChartHtml(report: BenchReport): string {
  const latency = (pick: 'sendToAck' | 'sendToDelivery') =>
    report.sweeps.flatMap((sweep) => [
      {
        label: `${sweep.target} p50`,
        color: color(sweep),
        dashed: false,
        points: sweep.steps.map((step) => [step.rate, step[pick].p50] as [number, number]),
      },
      {
        label: `${sweep.target} p99`,
        color: color(sweep),
        dashed: true,
        points: sweep.steps.map((step) => [step.rate, step[pick].p99] as [number, number]),
      },
    ]);
  const throughput = report.sweeps.map((sweep) => ({
    label: sweep.target,
    color: color(sweep),
    dashed: false,
    points: sweep.steps.map((step) => [step.rate, step.ackedPerSecond] as [number, number]),
  }));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Benchmark ${escapeXml(report.startedAt)}</title></head>
<body style="font-family: sans-serif">
<h1>Benchmark, ${report.notShipped.length === 0 ? 'the shipped configuration' : 'NOT the shipped configuration'}, ${escapeXml(report.startedAt)}</h1>
${report.notShipped.length === 0 ? '' : `<p><strong>Not the shipped configuration:</strong> ${escapeXml(report.notShipped.join('; '))}. Not headline figures.</p>`}
<p>Message sweep: ours (red) beside the baselines. Log-log axes; dashed lines are p99.</p>
${logLogChart('Send-to-ack latency', 'ms (log)', latency('sendToAck'))}
${logLogChart('Send-to-delivery latency', 'ms (log)', latency('sendToDelivery'))}
${logLogChart('Acked throughput', 'acked msg/s (log)', throughput)}
</body></html>
`;
}
