import { execFileSync } from 'node:child_process';

export interface BuildVersion {
  tag: string;
  commit: string;
}

function fromGit(args: string[], cwd: string): string | null {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2_000 }).trim() || null;
  } catch {
    return null;
  }
}

/** Release tag and commit: set at build time (RELEASE_TAG, GIT_COMMIT), else from git, else `unknown`. */
export function buildVersion(env: Readonly<Record<string, string | undefined>>, cwd: string): BuildVersion {
  return {
    tag: env.RELEASE_TAG || fromGit(['describe', '--tags', '--abbrev=0', '--match', 'release/*'], cwd) || 'unknown',
    commit: env.GIT_COMMIT || fromGit(['rev-parse', 'HEAD'], cwd) || 'unknown',
  };
}
