import { copyFile, mkdir, mkdtemp, readFile } from 'node:fs/promises';
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
export async function freshCloneOfWorkTree(): Promise<string> {
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

/**
 * Runs a job's `run:` steps in order the way a GitHub runner does (bash -eo pipefail, job and step
 * env, skipping steps after a failure unless `if: always()` or `failure()`). `uses:` steps are
 * GitHub's own actions: checkout is the clone itself, setup-node is this machine's node, and
 * upload-artifact only matters on GitHub; they are listed as skipped.
 */
export interface RunnerHere {
  cwd: string;
  /** What a GitHub runner provides (CI, GITHUB_SHA, GITHUB_OUTPUT...). */
  runnerEnv: Record<string, string>;
  /** Workflow env values this machine needs changed (a free port instead of 8080). */
  overrides?: Record<string, string>;
  /** Rewrites a script that cannot run here as written. */
  substitute?: (run: string) => string;
}

export async function runJobSteps(job: WorkflowJob, here: RunnerHere): Promise<StepRun[]> {
  const results: StepRun[] = [];
  let failed = false;
  for (const step of job.steps) {
    const label = step.name ?? step.uses ?? step.run ?? '?';
    const condition = step.if ?? 'success()';
    const wanted = condition.includes('always()') || (failed ? condition.includes('failure()') : !condition.includes('failure()'));
    if (!step.run || !wanted) {
      results.push({ step: label, exitCode: -1, output: 'skipped' });
      continue;
    }
    const script = here.substitute ? here.substitute(step.run) : step.run;
    if (script.includes('${{')) throw new Error(`step "${label}" uses a GitHub expression in its script: ${script}`);
    const stepEnv = Object.fromEntries(Object.entries({ ...job.env, ...step.env }).map(([key, value]) => [key, String(value)]));
    const env = { ...here.runnerEnv, ...stepEnv, ...here.overrides };
    const result = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd: here.cwd, env, all: true, reject: false });
    results.push({ step: label, exitCode: result.exitCode ?? 1, output: result.all });
    if (result.exitCode !== 0) failed = true;
  }
  return results;
}
