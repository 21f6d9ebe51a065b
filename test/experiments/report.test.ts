import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { aggregate } from '../../src/experiments/aggregate.js';
import { formatValue, renderTable, writeReport } from '../../src/experiments/report.js';
import { escapeXml, fittedTicks, formatTick, intervalChartSvg, lineChartSvg, niceTicks } from '../../src/experiments/svg.js';
import { formatColumns } from '../../src/experiments/number-format.js';
import { formatTable } from '../../src/cli/output.js';
import { tempDir, writeFakeRun, writeUnfinishedRun, type FakeRun } from '../helpers/fake-runs.js';

/**
 * A small XML well-formedness check: tags nest and close, attributes are quoted, text holds no raw `<` or
 * stray `&`. Returns the element names in document order.
 */
function parseXml(xml: string): { names: string[]; root: string; attributes: Map<string, Record<string, string>[]> } {
  const names: string[] = [];
  const attributes = new Map<string, Record<string, string>[]>();
  const stack: string[] = [];
  let root = '';
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let position = 0;
  while (position < xml.length) {
    token.lastIndex = position;
    const match = token.exec(xml);
    if (!match) throw new Error(`Malformed XML at ${position}: ${JSON.stringify(xml.slice(position, position + 40))}`);
    position = token.lastIndex;
    const [, closing, name, attrs, selfClosing, text] = match;
    if (text !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(text)) throw new Error(`Unescaped & in text ${JSON.stringify(text)}`);
      if (stack.length === 0 && text.trim() !== '') throw new Error(`Text outside the root: ${JSON.stringify(text)}`);
      continue;
    }
    if (closing) {
      if (stack.pop() !== name) throw new Error(`Unbalanced </${name}>`);
      continue;
    }
    if (stack.length === 0) {
      if (root) throw new Error('Two root elements');
      root = name;
    }
    names.push(name);
    const record = Object.fromEntries([...attrs.matchAll(/([\w:-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    attributes.set(name, [...(attributes.get(name) ?? []), record]);
    if (!selfClosing) stack.push(name);
  }
  if (stack.length > 0) throw new Error(`Unclosed <${stack.join('>, <')}>`);
  return { names, root, attributes };
}

function sweep(experimentDir: string, experiment = 'orchestrator-sweep'): FakeRun[] {
  const runs: FakeRun[] = [];
  const grid = [
    [3e-4, 0],
    [3e-4, 0.01],
    [1e-3, 0],
    [1e-3, 0.01],
  ];
  grid.forEach(([lr, ent], c) => {
    for (let seed = 0; seed < 3; seed++) {
      const final = 10 + 2 * c + ((seed * 7 + c * 3) % 5);
      runs.push({
        experiment,
        config: `${c}${'a'.repeat(11)}`,
        seed,
        env: 'Orchestrator-v0',
        axes: { 'agent.learningRate': lr, 'agent.entCoef': ent },
        meanReturn: final,
        baselines: { random: 2, oracle: 30, greedy: 12 },
        metrics: { successRate: 0.5 + c / 10, cost: 1 + seed },
        curve: Array.from({ length: 8 }, (_, i) => ({ step: (i + 1) * 2500, meanReturn: (final * (i + 1)) / 8 + ((seed + i) % 3) })),
      });
    }
  });
  for (const run of runs) writeFakeRun(experimentDir, run);
  return runs;
}

const readAll = (dir: string) => {
  const files: Record<string, string> = { 'report.md': readFileSync(join(dir, 'report.md'), 'utf8'), 'report.json': readFileSync(join(dir, 'report.json'), 'utf8') };
  for (const name of readdirSync(join(dir, 'plots')).sort()) files[`plots/${name}`] = readFileSync(join(dir, 'plots', name), 'utf8');
  return files;
};

describe('writeReport', () => {
  it('writes report.md, report.json and SVG plots that the report links to', () => {
    const dir = join(tempDir(), 'orchestrator-sweep');
    sweep(dir);
    const result = writeReport(dir);
    expect(result.reportPath).toBe(join(dir, 'report.md'));
    expect(result.plotPaths.map((p) => p.slice(dir.length + 1)).sort()).toEqual(['plots/final-scores.svg', 'plots/learning-curves.svg', 'plots/normalized-scores.svg']);
    const md = readFileSync(result.reportPath, 'utf8');
    const links = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
    expect(links.sort()).toEqual(['plots/final-scores.svg', 'plots/learning-curves.svg', 'plots/normalized-scores.svg']);
    for (const link of links) expect(existsSync(join(dir, link))).toBe(true);
    expect(md).toMatch(/^# loopgym report: orchestrator-sweep\n/);
    expect(md).toContain('| learningRate=0.0003, entCoef=0 | Orchestrator-v0 | 0, 1, 2 |');
    expect(md).toContain('## Normalized score');
    expect(md).toContain('| all on Orchestrator-v0 | oracle | 30 | [30, 30] |'); // columns of integers stay integers
    expect(md).toContain('## Comparisons');
    expect(md).not.toContain('## Runs not aggregated');
    expect(md).not.toContain(dir); // no absolute paths
    const json = JSON.parse(readFileSync(result.jsonPath, 'utf8'));
    expect(json.configurations).toHaveLength(4);
    expect(json.comparisons).toHaveLength(6);
    expect(result.aggregate.configurations.map((c) => c.label)).toEqual(['learningRate=0.0003, entCoef=0', 'learningRate=0.0003, entCoef=0.01', 'learningRate=0.001, entCoef=0', 'learningRate=0.001, entCoef=0.01']);
  });

  it('carries the per-seed table the terminal shows: every run, then the baselines averaged, in report.md and report.json', () => {
    const dir = join(tempDir(), 'orchestrator-sweep');
    sweep(dir);
    const result = writeReport(dir);
    const md = readFileSync(result.reportPath, 'utf8');
    expect(md).toContain('## Results per seed');
    expect(result.perSeed.headers).toEqual(['policy', 'seed', 'gold return', 'success', 'cost', 'normalized']);
    expect(result.perSeed.rows).toHaveLength(12 + 3);
    expect(md).toContain('| learningRate=0.0003, entCoef=0 | 0 | 10 | 0.5000 | 1 | 0.286 |'); // (10 - 2) / (30 - 2)
    expect(md).toContain('| greedy (baseline) | all | 12 | — | — | 0.357 |');
    expect(md).toContain('| random (baseline) | all | 2 | — | — | 0.000 |');
    const json = JSON.parse(readFileSync(result.jsonPath, 'utf8'));
    expect(json.perSeed[0]).toEqual({ policy: 'learningRate=0.0003, entCoef=0', seed: '0', 'gold return': 10, success: 0.5, cost: 1, normalized: 8 / 28 });
    expect(json.perSeed.find((row: { policy: string }) => row.policy === 'oracle (baseline)')).toMatchObject({ seed: 'all', 'gold return': 30, normalized: 1 });
  });

  it('shows proxy return and reward-model Spearman per seed for runs on a learned reward', () => {
    const dir = tempDir();
    for (const seed of [0, 1]) {
      writeFakeRun(dir, {
        config: 'cccccccccccc',
        seed,
        env: 'Orchestrator-v0',
        rewardMode: 'learned',
        meanReturn: 140.25 + seed,
        baselines: { random: 90, oracle: 180 },
        metrics: { successRate: 0.78, meanLatency: 9.1, cost: seed === 0 ? 1089.25 : 943.345 },
        rewardModel: { 'rollout/proxy_return': 136.5 + seed, 'reward_model/heldout_spearman': 0.84 },
      });
    }
    const md = readFileSync(writeReport(dir).reportPath, 'utf8');
    expect(md).toContain('| policy | seed | gold return | proxy return | success | latency | cost | normalized | RM spearman |');
    expect(md).toContain('| ppo | 0 | 140.250 | 136.500 | 0.7800 | 9.100 | 1089.3 | 0.558 | 0.8400 |');
    expect(md).toContain('| ppo | 1 | 141.250 | 137.500 | 0.7800 | 9.100 | 943.3 | 0.569 | 0.8400 |');
    expect(md).toContain('| oracle (baseline) | all | 180.000 | — | — | — | — | 1.000 | — |');
  });

  it('writes the same bytes for the same runs, wherever they are', () => {
    const first = join(tempDir(), 'orchestrator-sweep');
    const second = join(tempDir(), 'orchestrator-sweep');
    sweep(first);
    sweep(second);
    writeReport(first);
    const bytes = readAll(first);
    writeReport(first);
    expect(readAll(first)).toEqual(bytes);
    writeReport(second);
    expect(readAll(second)).toEqual(bytes);
    // Merged shards give the same tables and plots (only the list of source folders differs).
    const shards = [tempDir(), tempDir()];
    sweep(join(tempDir(), 'unused')).forEach((run, i) => writeFakeRun(join(shards[i % 2], 'orchestrator-sweep'), run));
    const out = tempDir();
    writeReport(shards, { outDir: out });
    const merged = readAll(out);
    for (const name of Object.keys(bytes).filter((n) => n.startsWith('plots/'))) expect(merged[name]).toBe(bytes[name]);
    const tablesOf = (md: string) => md.slice(md.indexOf('## Final evaluation return'));
    expect(tablesOf(merged['report.md'])).toBe(tablesOf(bytes['report.md']));
  });

  it('lists incomplete and corrupt runs without aggregating them', () => {
    const dir = tempDir();
    sweep(dir);
    const clean = writeReport(dir).aggregate;
    writeUnfinishedRun(dir, 'eeeeeeeeeeee', 0);
    const corrupt = writeFakeRun(dir, { config: 'ffffffffffff', seed: 0, meanReturn: 1e6 });
    writeFileSync(join(corrupt, 'summary.json'), '{');
    const result = writeReport(dir, { format: 'md' });
    expect(result.aggregate.configurations).toEqual(clean.configurations);
    const md = readFileSync(result.reportPath, 'utf8');
    expect(md).toContain('2 run folder(s) not aggregated (1 incomplete, 1 corrupt');
    expect(md).toContain('| `eeeeeeeeeeee-s0` | incomplete | summary.json is missing (the run did not finish) |');
    expect(md).toMatch(/\| `ffffffffffff-s0` \| corrupt \| summary\.json is not valid JSON/);
    expect(result.table).toContain('2 run folder(s) not aggregated: 1 incomplete, 1 corrupt.');
  });

  it('handles a folder without finished runs, several envs, and bad options', () => {
    const empty = tempDir();
    writeUnfinishedRun(empty, 'eeeeeeeeeeee', 0);
    const result = writeReport(empty);
    expect(readFileSync(result.reportPath, 'utf8')).toContain('No finished runs.');
    expect(result.table).toContain('No finished runs.');
    expect(result.plotPaths).toEqual([]);

    const mixed = tempDir();
    writeFakeRun(mixed, { config: 'aaaaaaaaaaaa', seed: 0, env: 'CartPole-v1', meanReturn: 200 });
    writeFakeRun(mixed, { config: 'bbbbbbbbbbbb', seed: 0, env: 'Bandit-v0', meanReturn: 1 });
    const plots = writeReport(mixed).plotPaths.map((p) => p.slice(mixed.length + 1)).sort();
    expect(plots).toEqual(['plots/final-scores-Bandit-v0.svg', 'plots/final-scores-CartPole-v1.svg']);
    // Returns of different envs are never compared.
    expect(aggregate(mixed).comparisons).toEqual([]);

    expect(() => writeReport([mixed, empty])).toThrow(ConfigError);
    expect(() => writeReport(mixed, { format: 'xml' as never })).toThrow(/Expected format md, json or csv, but got "xml"/);
  });
});

describe('renderTable', () => {
  it('renders markdown, CSV and JSON', () => {
    const dir = tempDir();
    sweep(dir);
    const report = aggregate(dir);
    const md = renderTable(report, 'md').trim().split('\n');
    expect(md[0]).toBe('| Configuration | Env | Seeds | Mean | 95% CI | IQM | 95% CI | Std | Median | Normalized IQM | 95% CI |');
    expect(md[1]).toBe('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    expect(md).toHaveLength(6);
    const csv = renderTable(report, 'csv').trim().split('\n');
    expect(csv).toHaveLength(5);
    expect(csv[0].split(',').slice(0, 9)).toEqual(['configuration', 'key', 'experiment', 'env', 'agent', 'reward_mode', 'agent.learningRate', 'agent.entCoef', 'seeds']);
    expect(csv[1]).toMatch(/^"learningRate=0\.0003, entCoef=0",0aaaaaaaaaaa,orchestrator-sweep,Orchestrator-v0,ppo,gold,0\.0003,0,0 1 2,3,/);
    const json = JSON.parse(renderTable(report, 'json'));
    expect(json.configurations[0].return.n).toBe(3);
  });

  it('formats a column with one decimal count, from its largest value', () => {
    const rows = formatColumns([
      ['ppo', 1089.25, { low: 980.5, high: 1100.75 }, 0.5, 3, { mean: 0.1234, std: 0.05 }],
      ['greedy', 943.345, { low: 900, high: 990.25 }, 1e-5, 12, { mean: 0.5, std: 0.25 }],
      ['oracle', null, null, 0.25, 7, null],
    ]);
    expect(rows).toEqual([
      ['ppo', '1089.3', '[980.5, 1100.8]', '0.5000', '3', '0.1234 ± 0.0500'],
      ['greedy', '943.3', '[900.0, 990.3]', '1.00e-5', '12', '0.5000 ± 0.2500'],
      ['oracle', '—', '—', '0.2500', '7', '—'],
    ]);
    // The CLI's tables use the same rule: no "1089" above "943.345".
    const table = formatTable(['policy', 'cost', 'seed'], [['ppo', 1089.25, 0], ['greedy', 943.345, 1], ['oracle', null, 2]]).split('\n');
    expect(table).toEqual(['policy    cost  seed', '------  ------  ----', 'ppo     1089.3     0', 'greedy   943.3     1', 'oracle       -     2']);
  });

  it('formats numbers compactly and stably', () => {
    expect(formatValue(12.34567)).toBe('12.346');
    expect(formatValue(0.123456)).toBe('0.1235');
    expect(formatValue(-0.00001)).toBe('-1.00e-5');
    expect(formatValue(1234.56)).toBe('1234.6');
    expect(formatValue(0)).toBe('0');
    expect(formatValue(-0.00004999)).toBe('-5.00e-5');
    expect(formatValue(null)).toBe('—');
    expect(formatValue(Infinity)).toBe('∞');
  });
});

describe('svg', () => {
  it('draws well-formed learning curves with bands, axes and a legend', () => {
    const svg = lineChartSvg(
      [
        { label: 'ppo <lr=3e-4> & more', points: [{ x: 0, y: 1, low: 0.5, high: 1.5 }, { x: 50_000, y: 3, low: 2, high: 4 }, { x: 100_000, y: 4, low: 3, high: 5 }] },
        { label: 'dqn', points: [{ x: 0, y: 0 }, { x: 100_000, y: 2 }] },
      ],
      { title: 'Learning curves', xLabel: 'Environment steps', yLabel: 'Return' },
    );
    const xml = parseXml(svg);
    expect(xml.root).toBe('svg');
    const root = xml.attributes.get('svg')?.[0] ?? {};
    expect(root.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(root.viewBox).toMatch(/^0 0 \d+\.\d\d \d+\.\d\d$/);
    expect(xml.names.filter((n) => n === 'polygon')).toHaveLength(1); // only the first series has a band
    expect(xml.names.filter((n) => n === 'polyline')).toHaveLength(2);
    expect(svg).toContain('ppo &lt;lr=3e-4&gt; &amp; more');
    expect(svg).toContain('>Environment steps</text>');
    expect(svg).toContain('>Return</text>');
    expect(svg).toContain('>100k</text>');
    // Every coordinate is a finite number.
    for (const records of xml.attributes.values()) {
      for (const record of records) for (const key of ['x', 'y', 'x1', 'y1', 'cx', 'cy', 'width', 'height']) if (key in record) expect(Number.isFinite(Number(record[key]))).toBe(true);
    }
    expect(lineChartSvg([], { title: 't', xLabel: 'x', yLabel: 'y' })).toContain('No evaluation points');
  });

  it('ends the step axis at the last evaluation, and draws baselines as labelled dashed lines', () => {
    // A 300k-step run evaluated every 50k (the last evaluation a rollout past 300k) is drawn to 301k, not 350k.
    const points = [50_176, 100_352, 150_528, 200_704, 250_880, 301_056].map((x, i) => ({ x, y: 100 + 8 * i, low: 95 + 8 * i, high: 105 + 8 * i }));
    const svg = lineChartSvg([{ label: 'ppo', points }], { title: 't', xLabel: 'Environment steps', yLabel: 'Return', references: [{ value: 91.1, label: 'random' }, { value: 184.3, label: 'oracle' }, { value: 144.6, label: 'greedy' }] });
    const xml = parseXml(svg);
    const labels = [...svg.matchAll(/>(\d+k|0)<\/text>/g)].map((m) => m[1]);
    expect(labels).toEqual(['0', '50k', '100k', '150k', '200k', '250k', '300k']);
    expect(svg).not.toContain('>350k<');
    const frame = (xml.attributes.get('rect') ?? []).find((r) => r.fill === 'none') as Record<string, string>;
    const right = Number(frame.x) + Number(frame.width);
    const lastPoint = (xml.attributes.get('circle') ?? []).map((c) => Number(c.cx)).sort((a, b) => b - a)[0];
    expect(lastPoint).toBeCloseTo(right, 1); // the last evaluation sits on the right edge
    const dashed = (xml.attributes.get('line') ?? []).filter((l) => l['stroke-dasharray'] === '5 3');
    expect(dashed).toHaveLength(3 + 1); // three baselines and the legend's sample
    for (const name of ['random', 'oracle', 'greedy']) expect(svg).toContain(`>${name}</text>`);
    expect(svg).toContain('>baselines</text>');
    const named = lineChartSvg([{ label: 'ppo', points }], { title: 't', xLabel: 'x', yLabel: 'y', references: [{ value: 91.1, label: 'random' }], referencesLabel: 'baselines (final evaluation)' });
    const legend = /<text x="([\d.]+)" y="[\d.]+" fill="#555555">baselines \(final evaluation\)<\/text>/.exec(named);
    expect(Number(legend?.[1]) + 'baselines (final evaluation)'.length * 7.2).toBeLessThanOrEqual(Number(/width="([\d.]+)"/.exec(named)?.[1])); // the legend fits
    // The y-axis reaches the highest baseline.
    const oracleLine = dashed.find((l) => Number(l.x2) - Number(l.x1) > 100 && Number(l.y1) === Math.min(...dashed.filter((d) => Number(d.x2) - Number(d.x1) > 100).map((d) => Number(d.y1))));
    expect(Number(oracleLine?.y1)).toBeGreaterThanOrEqual(Number(frame.y));
  });

  it('never lets tick labels overlap, within a panel or across side-by-side panels', () => {
    const panel = (title: string) => ({ title, items: [{ label: 'ppo', value: 0.55, low: 0.4, high: 0.7 }], references: [{ value: 0, label: 'random' }, { value: 1, label: 'oracle' }] });
    for (const svg of [intervalChartSvg([panel('IQM'), panel('Mean')], { title: 't', xLabel: 'x' }), intervalChartSvg([panel('IQM'), panel('Mean')], { title: 't', xLabel: 'x', panelWidth: 120 })]) {
      // Tick labels are the centred texts on the row below the panels.
      const ticks = [...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)" text-anchor="middle">([^<]+)<\/text>/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]), text: m[3] }));
      const rowY = Math.max(...ticks.filter((t) => /^-?[\d.]+$/.test(t.text)).map((t) => t.y));
      const row = ticks.filter((t) => t.y === rowY).sort((a, b) => a.x - b.x);
      expect(row.length).toBeGreaterThanOrEqual(4);
      for (let i = 1; i < row.length; i++) expect(row[i].x - row[i - 1].x).toBeGreaterThanOrEqual(((row[i].text.length + row[i - 1].text.length) / 2) * 7.2);
    }
    // A narrow axis gets fewer ticks rather than colliding labels.
    expect(fittedTicks(0, 1_000_000, 600, { horizontal: true }).ticks.length).toBeGreaterThan(fittedTicks(0, 1_000_000, 120, { horizontal: true }).ticks.length);
    expect(niceTicks(0, 301_056, 7, false)).toEqual({ ticks: [0, 50_000, 100_000, 150_000, 200_000, 250_000, 300_000], step: 50_000, min: 0, max: 301_056 });
  });

  it('draws well-formed interval charts with one row per item and reference lines', () => {
    const panel = (title: string) => ({
      title,
      items: [
        { label: 'a', value: 0.4, low: 0.3, high: 0.5 },
        { label: 'b', value: 0.7, low: 0.6, high: 0.9 },
        { label: 'baseline: random', value: 0, low: 0, high: 0, muted: true },
      ],
      references: [
        { value: 0, label: 'random' },
        { value: 1, label: 'oracle' },
      ],
    });
    const svg = intervalChartSvg([panel('IQM'), panel('Mean')], { title: 'Scores', xLabel: 'Normalized score' });
    const xml = parseXml(svg);
    // Background + 3 bars per panel.
    expect(xml.names.filter((n) => n === 'rect')).toHaveLength(1 + 6);
    expect(svg).toContain('>IQM</text>');
    expect(svg).toContain('>oracle</text>');
    expect(svg.match(/>baseline: random<\/text>/g)).toHaveLength(1);
    expect(intervalChartSvg([], { title: 't', xLabel: 'x' })).toContain('No finished runs.');
  });

  it('picks round ticks and labels them readably', () => {
    expect(niceTicks(0, 100_000, 6).ticks).toEqual([0, 20_000, 40_000, 60_000, 80_000, 100_000]);
    expect(niceTicks(0.13, 0.87, 4).ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 10, 4).ticks).toEqual([0, 2.5, 5, 7.5, 10]);
    expect(niceTicks(5, 5).ticks.length).toBeGreaterThan(1);
    expect(formatTick(20_000, 20_000, 100_000)).toBe('20k');
    expect(formatTick(2_500, 2_500, 20_000)).toBe('2.5k');
    expect(formatTick(0.25, 0.25)).toBe('0.25');
    expect(formatTick(-0, 0.5)).toBe('0.0');
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });
});

describe('report folders', () => {
  it('removes its own stale plots but leaves other files alone', () => {
    const dir = tempDir();
    sweep(dir);
    mkdirSync(join(dir, 'plots'), { recursive: true });
    writeFileSync(join(dir, 'plots', 'learning-curves-Old-v0.svg'), '<svg/>');
    writeFileSync(join(dir, 'plots', 'notes.txt'), 'mine');
    writeReport(dir);
    expect(readdirSync(join(dir, 'plots')).sort()).toEqual(['final-scores.svg', 'learning-curves.svg', 'normalized-scores.svg', 'notes.txt']);
  });
});
