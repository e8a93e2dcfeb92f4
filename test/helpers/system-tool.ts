import { execaSync } from 'execa';
import type { Test } from 'uvu';

/** A program some tests need that `npm ci` cannot provide: how to tell it is there, and how to get it. */
export interface SystemTool {
  name: string;
  /** A command that exits 0 exactly when the tool can run. */
  probe: string[];
  install: string;
}

export const SHELLCHECK_INSTALL = 'apt-get install shellcheck, or see github.com/koalaman/shellcheck';

export const SYSTEM_TOOLS = {
  shellcheck: { name: 'shellcheck', probe: ['shellcheck', '--version'], install: SHELLCHECK_INSTALL },
  gpg: { name: 'gpg', probe: ['gpg', '--version'], install: 'apt-get install gnupg' },
  sshKeygen: { name: 'ssh-keygen', probe: ['sh', '-c', 'command -v ssh-keygen'], install: 'apt-get install openssh-client' },
  script: { name: 'script (util-linux)', probe: ['script', '--version'], install: 'apt-get install bsdutils' },
  setsid: { name: 'setsid (util-linux)', probe: ['setsid', '--version'], install: 'apt-get install util-linux' },
  gitDaemon: { name: 'git daemon', probe: ['sh', '-c', 'test -x "$(git --exec-path)/git-daemon"'], install: 'a git with git-daemon (Debian: apt-get install git)' },
  openssl: { name: 'openssl', probe: ['openssl', 'version'], install: 'apt-get install openssl' },
  ps: { name: 'ps (procps)', probe: ['ps', '-p', '1'], install: 'apt-get install procps' },
  ss: { name: 'ss (iproute2)', probe: ['ss', '-V'], install: 'apt-get install iproute2' },
  curl: { name: 'curl', probe: ['curl', '--version'], install: 'apt-get install curl' },
  ipv6Loopback: {
    name: 'IPv6 loopback (::1)',
    probe: [process.execPath, '-e', "require('net').createServer().once('error', () => process.exit(1)).listen(0, '::1', () => process.exit(0))"],
    install: 'a network namespace with ::1 (Docker: --sysctl net.ipv6.conf.lo.disable_ipv6=0)',
  },
} satisfies Record<string, SystemTool>;

/** Whether the probe runs: a missing binary and one that cannot be executed are both absent. */
export function present(tool: SystemTool): boolean {
  return execaSync(tool.probe[0]!, tool.probe.slice(1), { reject: false, stdio: 'ignore' }).exitCode === 0;
}

/** Whether `tool --version` runs. */
export function installed(tool: string): boolean {
  return present({ name: tool, probe: [tool, '--version'], install: '' });
}

type Register<B extends () => unknown> = (name: string, run: B) => void;

/**
 * Registers tests that need system tools. When one is missing, each test is skipped with one
 * line saying which tool and how to get it (`skip` registers it as skipped, where the suite can);
 * under CI=true (where `.ci/run` installs them) a missing tool fails the test instead, so CI
 * never passes by skipping.
 */
export function registerNeeding<B extends () => Promise<void> | void>(register: Register<B>, tools: readonly SystemTool[], skip: Register<B> = () => undefined): Register<B> {
  const missing = tools.filter((tool) => !present(tool));
  return (name, run) => {
    if (missing.length === 0) return register(name, run);
    const what = missing.map((tool) => `${tool.name} is not installed (${tool.install})`).join('; ');
    if (process.env.CI === 'true') {
      return register(name, (async () => {
        throw new Error(`${what}, and CI must run this test`);
      }) as unknown as B);
    }
    console.log(`skipped "${name}": ${what}; CI=true makes this a failure`);
    return skip(name, run);
  };
}

/** registerNeeding for a uvu suite: a missing tool's tests count as skipped, never as run. */
export function testNeeding(test: Test, ...tools: SystemTool[]): Register<() => Promise<void> | void> {
  return registerNeeding(test, tools, (name, run) => test.skip(name, run));
}

/** The one-tool form the shellcheck tests use. */
export function testNeedingTool(test: Test, tool: string, install: string): Register<() => Promise<void> | void> {
  return testNeeding(test, { name: tool, probe: [tool, '--version'], install });
}
