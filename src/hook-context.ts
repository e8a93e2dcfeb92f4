import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from './config.js';
import type { ProjectKeys } from './jira-keys.js';

/** What both commit hooks need, gathered without loading anything heavy (they run on every commit). */
export interface HookContext {
  projectKeys: ProjectKeys;
  branch: string | null;
  commentChar: string;
}

/** The checked-out branch, read from HEAD (a worktree's `.git` is a file naming its git dir). */
function currentBranch(top: string): string | null {
  let gitDir = path.join(top, '.git');
  try {
    if (statSync(gitDir).isFile()) {
      gitDir = path.resolve(top, readFileSync(gitDir, 'utf8').replace(/^gitdir:\s*/, '').trim());
    }
    const head = readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
    return head.startsWith('ref: refs/heads/') ? head.slice('ref: refs/heads/'.length) : null;
  } catch {
    return null;
  }
}

function commentChar(top: string): string {
  const result = spawnSync('git', ['config', '--get', 'core.commentChar'], { cwd: top, encoding: 'utf8' });
  const value = result.status === 0 ? result.stdout.trim() : '';
  return value.length === 1 ? value : '#';
}

/** Git runs hooks from the top of the work tree, so that is where configuration is read. */
export async function loadHookContext(top: string = process.cwd()): Promise<HookContext> {
  const { config } = await loadConfig(top);
  return { projectKeys: config.jiraProjectKeys, branch: currentBranch(top), commentChar: commentChar(top) };
}
