import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';
import { demoTarget } from '../src/demo-deploy.js';
import { DEMO_CONFIG, seedDemoWeek } from '../src/demo-history.js';
import { commit, createSandbox, git } from '../src/sandbox.js';

/**
 * `npm run demo`: a throwaway team repository and its week, with real local servers: Tuesday's
 * cut (staging deployed and verified), a QA fix merged into main, release:stage (back-merge,
 * delta), release:promote (production deployed and verified), release:status of the fix's card.
 */
const toolkit = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const sandbox = await createSandbox({ packageJson: DEMO_CONFIG });
await seedDemoWeek(sandbox);
const [staging, production] = await Promise.all([demoTarget(sandbox.staging, 'staging', toolkit), demoTarget(path.join(sandbox.root, 'production.git'), 'production', toolkit)]);
const w = git(sandbox.work);
await w`git remote add production ${production.repo}`;
console.log(`Sandbox: ${sandbox.root} (clone in work/; origin.git; staging.git and production.git deploy the hello app on push, into deploy/)\n`);

const env = { ...process.env, STAGING_URL: staging.url, PRODUCTION_URL: production.url, CI: 'true' };
const run = async (title: string, script: string, args: string[] = []): Promise<number> => {
  console.log(`\n=== ${title}: npm run ${script}${args.length ? ` -- ${args.join(' ')}` : ''}\n`);
  const result = await $({ stdio: 'inherit', nothrow: true, env })`${process.execPath} ${path.join(toolkit, 'dist', 'bundle', `${script.replace(':', '-')}.mjs`)} --repo ${sandbox.work} ${args}`;
  return result.exitCode ?? 1;
};

let failed = 0;
try {
  failed ||= await run('Tuesday 12:00, the cut (staging verified)', 'release:cut', ['--yes', '--verify-timeout', '30']);
  console.log('\n=== Wednesday: QA finds a bug; its fix is merged into main');
  await w`git checkout --quiet main`;
  await w`git pull --quiet --ff-only origin main`;
  await commit(sandbox.work, 'EPN-117: fix(cart): keep the cart when the session renews', { 'src/cart.ts': 'export const cart = [] as string[];\n' });
  await w`git push --quiet origin main`;
  failed ||= await run('the fix reaches staging, develop and the notes', 'release:stage', ['--yes', '--verify-timeout', '30']);
  failed ||= await run('QA signs off: production', 'release:promote', ['--yes', '--verify-timeout', '30']);
  failed ||= await run('where is EPN-117?', 'release:status', ['EPN-117']);
  failed ||= await run('the release as everyone sees it', 'release:status');
} finally {
  await Promise.all([staging.stop(), production.stop()]);
}
console.log(`\nLook around:\n  git -C ${sandbox.work} log --oneline --graph --all\n  cat ${path.join(sandbox.work, 'CHANGELOG.md')}\n  git -C ${sandbox.origin} notes --ref=release-cut show 'release/<date>^{}'`);
process.exitCode = failed;
