import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';
import { DEMO_CONFIG, seedDemoWeek } from '../src/demo-history.js';
import { createSandbox } from '../src/sandbox.js';

/** `npm run demo`: a throwaway team repository, a week of work, then a real cut of it. */
const sandbox = await createSandbox({ packageJson: DEMO_CONFIG });
await seedDemoWeek(sandbox);
console.log(`Sandbox: ${sandbox.root} (clone in work/, bare remotes origin.git and staging.git)\n`);

const cut = path.join(path.dirname(fileURLToPath(import.meta.url)), 'release-cut.js');
const result = await $({ stdio: 'inherit', nothrow: true })`${process.execPath} ${cut} --repo ${sandbox.work} --yes`;

console.log(`\nLook around:\n  git -C ${sandbox.work} log --oneline --graph --all\n  cat ${path.join(sandbox.work, 'CHANGELOG.md')}\n  git -C ${sandbox.staging} log --oneline main`);
process.exitCode = result.exitCode ?? 1;
