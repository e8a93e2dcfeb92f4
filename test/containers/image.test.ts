import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { freePort } from '../helpers/postgres.js';
import { docker, getText, inspect, PROJECT_ROOT, uniqueName, waitHealthy } from '../helpers/docker.js';
import { waitFor } from '../helpers/app-process.js';

const image = suite('Docker image');
const tag = uniqueName('hello-app-test');
const buildArgs = ['--build-arg', 'RELEASE_TAG=release/2026-11-24', '--build-arg', 'GIT_COMMIT=0123abc'];
const containers: string[] = [];

image.before(async () => {
  await docker(['build', '--tag', tag, ...buildArgs, PROJECT_ROOT], { DOCKER_BUILDKIT: '0' });
});
image.after(async () => {
  for (const container of containers) await docker(['rm', '--force', '--volumes', container]).catch(() => undefined);
  await docker(['image', 'rm', '--force', tag]).catch(() => undefined);
});

interface LockedPackage {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/**
 * The top-level folders `npm ci --omit=dev --workspace app` gives node_modules, read from the
 * lockfile: the app workspace's dependencies and theirs, resolved as node does (nearest
 * node_modules first); packages nested inside another package's folder are not top-level.
 */
async function appPackagesFromLockfile(): Promise<string[]> {
  const lock = JSON.parse(await readFile(path.join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockedPackage> };
  const installed = new Set<string>();
  const visit = (from: string): void => {
    const entry = lock.packages[from]!;
    for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      let dir = from;
      let found: string | undefined;
      for (;;) {
        const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
        if (lock.packages[candidate]) {
          found = candidate;
          break;
        }
        if (!dir) break;
        const parent = dir.lastIndexOf('/node_modules/');
        dir = parent === -1 ? '' : dir.slice(0, parent);
      }
      if (found && !installed.has(found)) {
        installed.add(found);
        visit(found);
      }
    }
  };
  visit('app');
  return [...installed].filter((key) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(key)).map((key) => key.slice('node_modules/'.length)).sort();
}

async function runDetached(port: number): Promise<string> {
  const name = uniqueName('hello-app-run');
  containers.push(name);
  // A short health interval only to make the test quick; the check itself is the image's HEALTHCHECK.
  await docker(['run', '--detach', '--name', name, '--health-interval', '1s', '--publish', `127.0.0.1:${port}:8080`, tag]);
  return name;
}

image('runs alone: Hello World on 127.0.0.1, build arguments in /version, no database, healthy', async () => {
  const port = await freePort();
  const container = await runDetached(port);
  await waitFor(`http://127.0.0.1:${port}/healthz`, 20_000);
  assert.equal(await getText(`http://127.0.0.1:${port}/`), { status: 200, body: 'Hello World' });
  assert.equal(JSON.parse((await getText(`http://127.0.0.1:${port}/version`)).body), { tag: 'release/2026-11-24', commit: '0123abc' });
  assert.is((await getText(`http://127.0.0.1:${port}/visits`)).status, 200);
  await waitHealthy(container);
});

image('runs as the unprivileged node user and holds only the runtime files', async () => {
  const port = await freePort();
  const container = await runDetached(port);
  assert.is(await docker(['exec', container, 'id', '-un']), 'node');
  assert.not.equal(await docker(['exec', container, 'id', '-u']), '0');
  assert.equal((await docker(['exec', container, 'ls', '-A', '/app'])).split('\n'), ['dist', 'node_modules', 'package.json']);
  assert.is(JSON.parse(await docker(['exec', container, 'cat', '/app/package.json'])).name, 'hello-app', 'the app workspace\'s package.json');
  assert.equal((await docker(['exec', container, 'ls', '/app/dist'])).split('\n'), ['app']);
  const devOnly = await docker(['exec', container, 'sh', '-c', 'ls -d /app/node_modules/typescript /app/node_modules/uvu /app/node_modules/husky 2>/dev/null || true']);
  assert.is(devOnly, '', 'no compiler or test tools in the runtime image');
  const listing = (await docker(['exec', container, 'find', '/app/node_modules', '-mindepth', '1', '-maxdepth', '2', '-type', 'd', '-not', '-path', '*/.*']))
    .split('\n')
    .map((dir) => dir.slice('/app/node_modules/'.length))
    .filter((name) => (name.startsWith('@') ? name.includes('/') : !name.includes('/')))
    .sort();
  assert.equal(listing, await appPackagesFromLockfile(), 'node_modules holds the app workspace\'s packages and nothing else');
  for (const toolkitOnly of ['zx', 'execa', 'nodemailer', 'handlebars', 'conventional-changelog-writer', 'dotenv', 'koa-helmet']) {
    assert.not.ok(listing.includes(toolkitOnly), `${toolkitOnly} is the toolkit's, not the app's`);
  }
  const sources = await docker(['exec', container, 'sh', '-c', 'find /app -path /app/node_modules -prune -o \\( -name "*.ts" -o -name ".env" -o -name ".git" \\) -print']);
  assert.is(sources, '', 'no TypeScript sources, .env or git history');
});

image('docker stop is a graceful stop: exit code 0, well under the 10 s timeout', async () => {
  const port = await freePort();
  const container = await runDetached(port);
  await waitFor(`http://127.0.0.1:${port}/healthz`, 20_000);
  const started = Date.now();
  await docker(['stop', container]);
  const tookMs = Date.now() - started;
  assert.is(await inspect(container, '{{.State.ExitCode}}'), '0');
  assert.ok(tookMs < 5_000, `docker stop took ${tookMs} ms`);
  assert.match(await docker(['logs', container]), '"msg":"stopped"');
});

image('builds with BuildKit as well as the classic builder', async () => {
  // The docker CLI first on PATH may need the buildx plugin for BuildKit; Debian's client has it built in.
  const failures: string[] = [];
  for (const cli of ['docker', '/usr/bin/docker']) {
    const result = await execa(cli, ['build', '--quiet', '--tag', `${tag}-buildkit`, ...buildArgs, PROJECT_ROOT], { env: { DOCKER_BUILDKIT: '1' }, reject: false, all: true });
    if (result.exitCode === 0) {
      assert.match(await docker(['run', '--rm', `${tag}-buildkit`, 'node', '-e', 'console.log(process.env.RELEASE_TAG)']), 'release/2026-11-24');
      await docker(['image', 'rm', `${tag}-buildkit`]);
      return;
    }
    failures.push(`${cli}: ${result.all}`);
  }
  assert.unreachable(`no BuildKit build succeeded:\n${failures.join('\n')}`);
});

image.run();
