/**
 * The cut waits for staging to serve what it pushed: against a real HTTP server on 127.0.0.1 whose
 * /version answers what the staging repository's main holds (as a deploy hook would make it), and
 * against one stuck on the old commit (exit 4, the record and the JSON say what it served).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as assert from 'uvu/assert';
import { parseRecord } from '../../src/record/record.js';
import { commit, git } from '../../src/sandbox.js';
import { onBranch, runCutCli, sha, withSandbox } from '../helpers/cut.js';
import { suite } from '../helpers/suite.js';

async function versionServer(commitNow: () => Promise<string>): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    void commitNow().then((served) => {
      response.writeHead(request.url === '/version' ? 200 : 404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ commit: served }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const verify = suite('release cut: staging verified by what it serves');

verify('staging serves the release: verified, in the report and the record; exit 0', () => withSandbox(async (sandbox) => {
  await onBranch(sandbox, 'develop', () => commit(sandbox.work, 'EPN-1: add login', { 'login.txt': 'login\n' }));
  const { url, server } = await versionServer(() => sha(sandbox.staging, 'main'));
  try {
    const result = await runCutCli(sandbox, ['--json'], { STAGING_URL: url });
    assert.is(result.exitCode, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { releaseCommit: string; deploys: { target: string; status: string }[] };
    assert.equal(report.deploys.map((check) => [check.target, check.status]), [['staging', 'verified']]);
    const note = await git(sandbox.origin)`git notes --ref=release-cut show ${report.releaseCommit}`;
    const verified = parseRecord(note.stdout)?.events.find((event) => event.event === 'verified');
    assert.ok(verified?.event === 'verified' && verified.status === 'verified' && verified.commit === report.releaseCommit);
  } finally {
    server.close();
  }
}));

verify('staging stuck on the old commit: everything pushed and recorded, exit 4 naming what it served', () => withSandbox(async (sandbox) => {
  await onBranch(sandbox, 'develop', () => commit(sandbox.work, 'EPN-1: add login', { 'login.txt': 'login\n' }));
  const old = await sha(sandbox.staging, 'main');
  const { url, server } = await versionServer(async () => old);
  try {
    const result = await runCutCli(sandbox, ['--json', '--verify-timeout', '1'], { STAGING_URL: url });
    assert.is(result.exitCode, 4, result.stderr);
    const report = JSON.parse(result.stdout) as { releaseCommit: string; deploys: { status: string; served: string; line: string }[] };
    assert.is(await sha(sandbox.staging, 'main'), report.releaseCommit, 'the push itself happened');
    assert.is(report.deploys[0]?.status, 'unverified');
    assert.is(report.deploys[0]?.served, old);
    assert.match(report.deploys[0]!.line, `last answer: serves ${old.slice(0, 7)}`);
  } finally {
    server.close();
  }
}));

verify.run();
