import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { PROJECT_ROOT } from './hooks.js';

export interface WorkflowStep {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string | number | boolean>;
  with?: Record<string, unknown>;
}

export interface WorkflowJob {
  name?: string;
  needs?: string | string[];
  if?: string;
  env?: Record<string, string | number | boolean>;
  steps: WorkflowStep[];
  strategy?: { matrix?: Record<string, unknown[]> };
  permissions?: Record<string, string>;
  'timeout-minutes'?: number;
  [key: string]: unknown;
}

export interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, WorkflowJob>;
}

export const workflowPath = (file: string): string => path.join(PROJECT_ROOT, '.github', 'workflows', file);

export async function readWorkflow(file: string): Promise<Workflow> {
  return parse(await readFile(workflowPath(file), 'utf8')) as Workflow;
}

/** A clone of this repository with the work tree's current files on top (committed or not). */
async function freshCloneOfWorkTree(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'workflow-clone-'));
  await execa('git', ['clone', '--quiet', '--no-hardlinks', PROJECT_ROOT, dir]);
  const { stdout } = await execa('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: PROJECT_ROOT });
  for (const file of stdout.split('\0').filter(Boolean)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await copyFile(path.join(PROJECT_ROOT, file), path.join(dir, file)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error; // deleted in the work tree, not yet committed
    });
  }
  return dir;
}

export interface StepRun {
  step: string;
  exitCode: number;
  output: string;
}

interface RunnerHere {
  cwd: string;
  /** What a GitHub runner provides (CI, GITHUB_SHA, GITHUB_OUTPUT...). */
  runnerEnv: Record<string, string>;
  /** Workflow env values this machine needs changed (a free port instead of 8080). */
  overrides?: Record<string, string>;
  /** Rewrites a script that cannot run here as written; null skips the step (it is then not counted as run). */
  substitute?: (run: string) => string | null;
}

/**
 * Runs a job's `run:` steps in order the way a GitHub runner does (bash -eo pipefail, job and step
 * env, skipping steps after a failure unless `if: always()` or `failure()`). `uses:` steps are
 * GitHub's own actions: checkout is the clone itself, setup-node is this machine's node, and
 * upload-artifact only matters on GitHub; they are listed as skipped.
 */
async function runJobSteps(job: WorkflowJob, here: RunnerHere): Promise<StepRun[]> {
  const script = (step: WorkflowStep): string | null => (here.substitute ? here.substitute(step.run!) : step.run!);
  for (const step of job.steps.filter((entry) => entry.run)) {
    if (script(step)?.includes('${{')) throw new Error(`step "${step.name ?? step.run}" uses a GitHub expression in its script: ${step.run}`);
  }
  const results: StepRun[] = [];
  let failed = false;
  for (const step of job.steps) {
    const label = step.name ?? step.uses ?? step.run ?? '?';
    const condition = step.if ?? 'success()';
    const wanted = condition.includes('always()') || (failed ? condition.includes('failure()') : !condition.includes('failure()'));
    const run = step.run ? script(step) : null;
    if (run === null || !wanted) {
      results.push({ step: label, exitCode: -1, output: 'skipped' });
      continue;
    }
    const stepEnv = Object.fromEntries(Object.entries({ ...job.env, ...step.env }).map(([key, value]) => [key, String(value)]));
    const env = { ...here.runnerEnv, ...stepEnv, ...here.overrides };
    const result = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', run], { cwd: here.cwd, env, all: true, reject: false });
    results.push({ step: label, exitCode: result.exitCode ?? 1, output: result.all });
    if (result.exitCode !== 0) failed = true;
  }
  return results;
}

export interface JobRun {
  /** The commit the clone was at (GITHUB_SHA). */
  sha: string;
  results: StepRun[];
  /** Steps that failed, each with its output; empty when the job passed. */
  failures: string;
}

/** The job's steps in a fresh clone of the work tree, as CI on GitHub would run them; the clone is removed afterwards. */
export async function runJobInFreshClone(job: WorkflowJob, options: Pick<RunnerHere, 'overrides' | 'substitute'> = {}): Promise<JobRun> {
  const clone = await freshCloneOfWorkTree();
  try {
    const { stdout: sha } = await execa('git', ['rev-parse', 'HEAD'], { cwd: clone });
    const results = await runJobSteps(job, { cwd: clone, runnerEnv: { CI: 'true', GITHUB_SHA: sha, HUSKY: '0' }, ...options });
    const failures = results.filter((result) => result.exitCode > 0).map((result) => `${result.step}:\n${result.output}`).join('\n\n');
    return { sha, results, failures };
  } finally {
    await rm(clone, { recursive: true, force: true });
  }
}
