import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { ConfigError } from '../../core/errors.js';
import { analyzeLearningCurve, type LearningCurveInput } from '../../loop/analyze-curve.js';
import { DEFAULT_ARM, readCurveFile, type CurveArm, type CurveFile } from '../../loop/curve-file.js';
import { defaultOption, describeOption, type CurveAnalysisOptionsInput } from '../../loop/curve-options.js';
import { renderCurveText, writeCurveReport } from '../../loop/curve-report.js';
import { printJson, printLine, type GlobalOptions } from '../output.js';

interface AnalyzeArgs extends GlobalOptions {
  file: string;
  lowerIsBetter: boolean;
  arm: string;
  frozen?: string;
  scratch?: string;
  baseline?: string;
  ceiling?: string;
  baselineName?: string;
  ceilingName?: string;
  worldChanges?: string;
  earlierWorld?: string[];
  resamples?: number;
  seed?: number;
  confidence?: number;
  horizons?: string;
  targets?: string;
  threshold?: number;
  robust?: boolean;
  onUndefinedRatio?: 'throw' | 'report';
}

/** Help text from the options schema, with its default: the schema is the one place both are written. */
const fromSchema = (name: Parameters<typeof describeOption>[0]) => {
  const fallback = defaultOption(name);
  return `${describeOption(name)}${fallback === undefined ? '' : ` (default: ${Array.isArray(fallback) ? fallback.join(',') : String(fallback)})`}`;
};

function numberList(text: string, flag: string): number[] {
  const values = text.split(',').map((part) => Number(part.trim()));
  if (values.some((v) => !Number.isFinite(v))) throw new ConfigError(`Expected --${flag} as comma-separated numbers (e.g. 10,30), but got "${text}".`);
  return values;
}

function armOf(file: CurveFile, name: string, flag: string): CurveArm {
  const arm = file.arms.get(name);
  if (arm === undefined) throw new ConfigError(`Expected --${flag} to name an arm of ${file.source} (${[...file.arms.keys()].join(', ')}), but got "${name}".`);
  return arm;
}

/** A number, or the name of an arm whose scores are the reference. */
function reference(file: CurveFile, value: string, flag: string): number | number[][] {
  const number = Number(value);
  return value.trim() !== '' && Number.isFinite(number) ? number : armOf(file, value, flag).scores;
}

/** Turns the file and flags into analyzeLearningCurve's input. */
export function curveInput(file: CurveFile, argv: AnalyzeArgs): LearningCurveInput {
  const arm = file.arms.has(argv.arm) || file.arms.size !== 1 ? armOf(file, argv.arm, 'arm') : [...file.arms.values()][0];
  const options: CurveAnalysisOptionsInput = { higherIsBetter: !argv.lowerIsBetter };
  if (argv.resamples !== undefined) options.resamples = argv.resamples;
  if (argv.seed !== undefined) options.seed = argv.seed;
  if (argv.confidence !== undefined) options.confidence = argv.confidence;
  if (argv.horizons !== undefined) options.horizons = numberList(argv.horizons, 'horizons');
  if (argv.targets !== undefined) options.targets = numberList(argv.targets, 'targets');
  if (argv.threshold !== undefined) options.anomalyThreshold = argv.threshold;
  if (argv.robust !== undefined) options.robust = argv.robust;
  if (argv.onUndefinedRatio !== undefined) options.onUndefinedRatio = argv.onUndefinedRatio;
  if (argv.baselineName !== undefined) options.baselineName = argv.baselineName;
  else if (argv.baseline !== undefined && file.arms.has(argv.baseline)) options.baselineName = argv.baseline;
  if (argv.ceilingName !== undefined) options.ceilingName = argv.ceilingName;
  else if (argv.ceiling !== undefined && file.arms.has(argv.ceiling)) options.ceilingName = argv.ceiling;
  const input: LearningCurveInput = { ...options, ...(arm.days !== undefined ? { days: arm.days } : { scores: arm.scores }) };
  if (argv.frozen !== undefined) input.frozen = armOf(file, argv.frozen, 'frozen').scores;
  if (argv.scratch !== undefined) input.scratch = armOf(file, argv.scratch, 'scratch').scores;
  if (argv.baseline !== undefined) input.baseline = reference(file, argv.baseline, 'baseline');
  if (argv.ceiling !== undefined) input.ceiling = reference(file, argv.ceiling, 'ceiling');
  if (argv.worldChanges !== undefined) input.worldChanges = numberList(argv.worldChanges, 'world-changes');
  if (argv.earlierWorld !== undefined) {
    input.evaluations = argv.earlierWorld.map((spec) => {
      const match = /^(.+):(\d+)$/.exec(spec);
      if (match === null) throw new ConfigError(`Expected --earlier-world as <arm>:<world index>, e.g. world0:0, but got "${spec}".`);
      return { world: Number(match[2]), scores: armOf(file, match[1], 'earlier-world').scores };
    });
  }
  return input;
}

const analyzeCommand: CommandModule<GlobalOptions, AnalyzeArgs> = {
  command: 'analyze <file>',
  describe: 'Analyze a KPI history (CSV or JSONL): multipliers, compound rate, growth models and verdict, projections, anomalies',
  builder: (yargs: Argv<GlobalOptions>) =>
    yargs
      .positional('file', { type: 'string', demandOption: true, describe: 'Wide (rows = replicates, columns = iterations) or long (replicate,iteration,score[,arm][,day]) CSV or JSONL' })
      .option('lower-is-better', { type: 'boolean', default: false, describe: 'The KPI should fall (latency, cost); default: it should rise' })
      .option('arm', { type: 'string', default: DEFAULT_ARM, describe: 'Arm to analyze (long files with an arm column; a single arm is taken as is)' })
      .option('frozen', { type: 'string', describe: 'Arm of the frozen initial policy: multiplier over the counterfactual' })
      .option('scratch', { type: 'string', describe: 'Arm retrained from scratch: forward transfer after world changes' })
      .option('baseline', { type: 'string', describe: 'Baseline (e.g. greedy): a number or an arm name; milestone "beats <name>"' })
      .option('ceiling', { type: 'string', describe: 'Ceiling (e.g. oracle): a number or an arm name; milestone "90% of <name>"' })
      .option('baseline-name', { type: 'string', describe: fromSchema('baselineName') })
      .option('ceiling-name', { type: 'string', describe: fromSchema('ceilingName') })
      .option('world-changes', { type: 'string', describe: 'Iterations that start a new world, comma-separated (e.g. 10,20)' })
      .option('earlier-world', { type: 'array', string: true, describe: 'Evaluations on an earlier world, as <arm>:<world index> (forgetting)' })
      .option('resamples', { type: 'number', describe: fromSchema('resamples') })
      .option('seed', { type: 'number', describe: fromSchema('seed') })
      .option('confidence', { type: 'number', describe: fromSchema('confidence') })
      .option('horizons', { type: 'string', describe: `${fromSchema('horizons')}; comma-separated` })
      .option('targets', { type: 'string', describe: `${fromSchema('targets')}; comma-separated` })
      .option('threshold', { type: 'number', describe: fromSchema('anomalyThreshold') })
      .option('robust', { type: 'boolean', describe: fromSchema('robust') })
      .option('on-undefined-ratio', { choices: ['throw', 'report'] as const, describe: fromSchema('onUndefinedRatio') }) as unknown as Argv<AnalyzeArgs>,
  handler: (argv: ArgumentsCamelCase<AnalyzeArgs>) => {
    const file = readCurveFile(argv.file);
    const analysis = analyzeLearningCurve(curveInput(file, argv));
    const paths = argv.out === undefined ? undefined : writeCurveReport(argv.out, analysis, argv.file);
    if (argv.json) return printJson(paths === undefined ? analysis : { ...paths, analysis });
    printLine(argv, renderCurveText(analysis));
    if (paths !== undefined) printLine(argv, `\nreport: ${paths.reportPath}\njson: ${paths.jsonPath}`);
  },
};

export const curveCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: 'curve <action>',
  describe: 'Learning curves: analyze a KPI history',
  builder: (yargs) => yargs.command(analyzeCommand).demandCommand(1, 'Expected curve analyze <file>.'),
  handler: () => {},
};
