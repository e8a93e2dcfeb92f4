// StrykerJS for one module of stryker/modules.mjs at a time (MUTATION_MODULE), run by
// `npm run test:mutation` (stryker/run.mjs). Each mutant is compiled with the project's tsc
// (buildCommand) and judged by the module's focused uvu suites (the command runner).
import { MODULES } from './stryker/modules.mjs';

const name = process.env.MUTATION_MODULE ?? 'redact';
const module = MODULES[name];
if (!module) throw new Error(`MUTATION_MODULE=${name} is not one of ${Object.keys(MODULES).join(', ')}`);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: module.mutate,
  testRunner: 'command',
  commandRunner: { command: `node dist/test/run.js ${module.suites.join(' ')}` },
  // The project's TypeScript 7 (on the PATH Stryker gives the build: node_modules/.bin above the sandbox); the checker uses stryker/'s TypeScript 5.
  buildCommand: 'tsc',
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'off',
  // Generous: on a loaded machine a slow suite must not pass for a mutant caught by a time-out.
  timeoutMS: 30_000,
  concurrency: 1,
  incremental: true,
  incrementalFile: `reports/mutation/${name}/stryker-incremental.json`,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${name}/index.html` },
  jsonReporter: { fileName: `reports/mutation/${name}/mutation.json` },
  thresholds: { high: 90, low: 80, break: null },
  ignorePatterns: ['dist', 'reports', 'infra', 'logs', '.stryker-tmp', 'stryker/node_modules'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
