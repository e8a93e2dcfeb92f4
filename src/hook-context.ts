import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadEnv, loadPackageJsonBlock, resolveCommitConfig, type CommitConfig } from './config.js';
import { renderHookRules, rulesStamp } from './hook-rules.js';

/** The rules file the shell hooks of the work tree at `top` source: in its own git dir, out of the work tree. */
export function hookRulesFile(top: string): string {
  const gitDir = spawnSync('git', ['rev-parse', '--path-format=absolute', '--git-dir'], { cwd: top, encoding: 'utf8' });
  if (gitDir.status !== 0) throw new Error(`${top} is not in a git work tree (${gitDir.stderr.trim()}): run this from the repository`);
  return path.join(gitDir.stdout.trim(), 'jira-rules.sh');
}

function readOptional(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** package.json's folder (the one holding .husky/) from the top of the repository: `sub/dir/`, or '' at the top. */
function packagePrefix(hooksDir: string): string {
  const result = spawnSync('git', ['rev-parse', '--show-prefix'], { cwd: path.dirname(hooksDir), encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : '';
}

/**
 * Git runs hooks from the top of the work tree, which in a linked worktree is not where npm
 * installed them: the configuration is that work tree's own package.json (and .env).
 */
export interface HookSetup {
  /** The .husky folder (core.hooksPath) of the work tree the hook runs in. */
  hooksDir: string;
  /** The top of the work tree the hook runs in. */
  top: string;
  config: CommitConfig;
  configDir: string;
  prefix: string;
}

/** The commit settings only: a malformed release or notifier setting never blocks a commit. */
export async function loadHookSetup(hooksDir: string, top: string = process.cwd()): Promise<HookSetup> {
  const prefix = packagePrefix(hooksDir);
  const configDir = path.join(top, prefix);
  const [env, block] = await Promise.all([loadEnv(configDir), loadPackageJsonBlock(configDir)]);
  return { hooksDir, top, config: resolveCommitConfig(env, block), configDir, prefix };
}

/** Writes the shell hooks' rules for this configuration (atomically: a hook may be reading it). */
export function writeHookRules(setup: HookSetup, env: NodeJS.ProcessEnv = process.env, file: string = hookRulesFile(setup.top)): string {
  const packageJson = readOptional(path.join(setup.configDir, 'package.json'));
  const dotEnv = readOptional(path.join(setup.configDir, '.env'));
  const text = rulesStamp(packageJson, dotEnv, env.JIRA_PROJECT_KEYS);
  // As the hooks' jira_config_files says it.
  const files = `${packageJson === null ? '' : 'p'}${dotEnv === null ? '' : 'e'}`;
  const stamp = { text, envKeys: env.JIRA_PROJECT_KEYS, files };
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}`;
  writeFileSync(temporary, renderHookRules(setup.config, stamp, setup.prefix));
  renameSync(temporary, file);
  return file;
}
