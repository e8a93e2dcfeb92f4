import { existsSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { $ } from 'zx';
import { freePort } from './free-port.js';

/** A deployment of the demo: a bare repository whose post-receive hook runs the hello app for what was pushed. */
export interface DemoTarget {
  name: string;
  /** The bare repository the release commands push to. */
  repo: string;
  /** Where the hello app for it answers (GET /version says the commit it runs). */
  url: string;
  /** Stops the app the hook started. */
  stop: () => Promise<void>;
}


/**
 * A bare repository (created when missing) with a post-receive hook that deploys each push
 * of main: it checks the commit out into deploy/<name>/site beside it and restarts the hello app there with
 * this toolkit's start.sh on a free port, telling the app the commit it runs (GIT_COMMIT), as a
 * real deploy job would. The app is this toolkit's own build (the sandbox's files are not an app).
 */
export async function demoTarget(repo: string, name: string, toolkit: string): Promise<DemoTarget> {
  const deploy = path.join(path.dirname(repo), 'deploy', name);
  const port = await freePort();
  if (!existsSync(repo)) await $({ quiet: true })`git init --quiet --bare --initial-branch=main ${repo}`;
  await mkdir(path.join(deploy, 'site'), { recursive: true });
  await copyFile(path.join(toolkit, 'start.sh'), path.join(deploy, 'start.sh'));
  await $({ quiet: true })`ln -s ${path.join(toolkit, 'dist')} ${path.join(deploy, 'dist')}`;
  const env = `PORT=${port} HOST=127.0.0.1`;
  await writeFile(path.join(repo, 'hooks', 'post-receive'), `#!/bin/sh
# Deploys main: the pushed commit's files into site/, then the app restarted for that commit.
while read -r old new ref; do
  [ "$ref" = refs/heads/main ] || continue
  git --work-tree="${deploy}/site" checkout --quiet --force "$new" -- . || exit 1
  ${env} "${deploy}/start.sh" stop >/dev/null
  ${env} GIT_COMMIT="$new" "${deploy}/start.sh" >/dev/null || exit 1
  echo "deployed $(printf %.7s "$new") to ${name} (http://127.0.0.1:${port}/)"
done
`, { mode: 0o755 });
  return {
    name,
    repo,
    url: `http://127.0.0.1:${port}`,
    stop: async () => void (await $({ quiet: true, nothrow: true, env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' } })`${path.join(deploy, 'start.sh')} stop`),
  };
}
