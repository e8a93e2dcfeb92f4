import { execaSync } from 'execa';
import type { Test } from 'uvu';

export const SHELLCHECK_INSTALL = 'apt-get install shellcheck, or see github.com/koalaman/shellcheck';

/** Whether `tool --version` runs: a missing binary and one that cannot be executed are both absent. */
export function installed(tool: string): boolean {
  return execaSync(tool, ['--version'], { reject: false, stdio: 'ignore' }).exitCode === 0;
}

/**
 * Registers a test that needs a system tool which `npm ci` cannot provide (shellcheck). When the
 * tool is missing the test is skipped with one line saying why and how to get it; under CI=true
 * (where `.ci/run` installs it) a missing tool fails the test instead, so CI never passes by
 * skipping.
 */
export function testNeedingTool(test: Test, tool: string, install: string): (name: string, run: () => Promise<void> | void) => void {
  const present = installed(tool);
  return (name, run) => {
    if (present) return test(name, run);
    if (process.env.CI === 'true') {
      return test(name, () => {
        throw new Error(`${tool} is not installed, and CI must run this test: ${install}`);
      });
    }
    console.log(`skipped "${name}": ${tool} is not installed (${install}; CI=true makes this a failure)`);
    return test.skip(name, run);
  };
}
