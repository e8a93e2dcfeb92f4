import { cp, chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { suite } from './suite.js';
import * as assert from 'uvu/assert';
import { binariesPackageDir, startPostgres } from './postgres.js';

// As root from a checkout under a folder other users cannot enter (a `mktemp -d` folder, /root, a
// CI container's workspace): the server's user cannot execute binaries from there.
const privateCheckout = suite('test PostgreSQL: binaries under a private folder');
const asRoot = process.getuid?.() === 0;
let dir = '';
privateCheckout.before(async () => {
  if (!asRoot) return;
  dir = await mkdtemp(path.join(os.tmpdir(), 'private-checkout-'));
  await chmod(dir, 0o700);
  await cp(binariesPackageDir(), path.join(dir, 'binaries'), { recursive: true, verbatimSymlinks: true });
});
privateCheckout.after(() => (asRoot ? rm(dir, { recursive: true, force: true }) : undefined));

(asRoot ? privateCheckout : privateCheckout.skip)('as root, the server starts and answers though its package sits in a 0700 folder', async () => {
  const postgres = await startPostgres({ binariesPackage: path.join(dir, 'binaries') });
  try {
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    const { rows } = await client.query<{ user: string }>('SELECT current_user AS user');
    await client.end();
    assert.is(rows[0]!.user, 'postgres');
  } finally {
    await postgres.remove();
  }
});
if (!asRoot) console.log('skipped "test PostgreSQL: binaries under a private folder": only root runs the server as another user');

privateCheckout.run();
