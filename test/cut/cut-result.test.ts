import * as assert from 'uvu/assert';
import { UserError } from '../../src/errors.js';
import { PartialReleaseError } from '../../src/cut/cut.js';
import { ConflictError } from '../../src/release/failure.js';
import { PushInFlightError, ReleaseStateError } from '../../src/release/failure.js';
import { errorDocument, outcomeDocument, outcomeExitCode } from '../../src/cut/cut-result.js';
import type { ReleaseReport } from '../../src/release/report.js';
import { suite } from '../helpers/suite.js';

const report: ReleaseReport = {
  tag: 'release/2026-11-24', date: '2026-11-24', base: 'main', head: 'develop', baseSha: 'a'.repeat(40), headSha: 'b'.repeat(40),
  range: 'a..b', compareUrl: null, commitCount: 2, jira: [{ key: 'EPN-1', url: null, commits: [] }], withoutJira: [{ sha: 'c'.repeat(40), subject: 'chore: tidy' }],
  releaseCommit: null, dryRun: true, pushed: { origin: false, staging: false },
};

const result = suite('cut result documents');

result('a finished cut: status and report, an error only when the exit code is not 0', () => {
  const released = { status: 'released' as const, report: { ...report, notifications: [{ channel: 'slack' as const, status: 'sent' as const, detail: 'ok' }] }, reportFile: null };
  assert.is(outcomeExitCode(released), 0);
  assert.is(outcomeDocument(released).error, undefined);
  assert.is(outcomeDocument(released).tag, report.tag);

  const shareFailed = { ...released, report: { ...report, notifications: [{ channel: 'email' as const, status: 'failed' as const, detail: 'SMTP refused' }] } };
  assert.is(outcomeExitCode(shareFailed), 3);
  assert.equal(outcomeDocument(shareFailed).error, {
    message: 'release/2026-11-24 is released, but sharing on email failed (SMTP refused)',
    hint: 'fix it, then: npm run release:notify -- release/2026-11-24 --channel email',
    exitCode: 3,
  });

  const aborted = { status: 'aborted' as const, report, reportFile: null };
  assert.is(outcomeExitCode(aborted), 1);
  assert.is(outcomeDocument(aborted).status, 'aborted');
  assert.is(outcomeDocument(aborted).error!.exitCode, 1);

  const nothing = { status: 'nothing-to-release' as const, base: 'main', head: 'develop', baseSha: 'a', headSha: 'a', stagingBehind: null };
  assert.equal(outcomeDocument(nothing), nothing);
  assert.is(outcomeExitCode(nothing), 0);
});

result('every failure has a status and an error; conflicts and partial releases keep their report', () => {
  assert.equal(errorDocument(new UserError('bad', { hint: 'fix it', exitCode: 2 })), { status: 'failed', error: { message: 'bad', hint: 'fix it', exitCode: 2 } });
  assert.equal(errorDocument(new UserError('interrupted by SIGINT', { exitCode: 130 })), { status: 'interrupted', error: { message: 'interrupted by SIGINT', hint: null, exitCode: 130 } });

  const conflict = errorDocument(new ConflictError('develop and main conflict in a.txt', 'merge main into develop', ['a.txt'], report));
  assert.is(conflict.status, 'conflict');
  assert.equal(conflict.conflicts, ['a.txt']);
  assert.equal(conflict.jira, report.jira);
  assert.equal(conflict.withoutJira, report.withoutJira);

  const partial = errorDocument(new PartialReleaseError('released on origin, staging failed', 're-run', { ...report, pushed: { origin: true, staging: false } }, '/tmp/r.json'));
  assert.is(partial.status, 'staging-failed');
  assert.equal(partial.pushed, { origin: true, staging: false });
  assert.is(partial.error!.exitCode, 3);

  assert.is(errorDocument(new ReleaseStateError('unknown', 'origin cannot be read', 're-run')).status, 'origin-unknown');
  assert.is(errorDocument(new ReleaseStateError('partial', 'origin took part', 'run these')).status, 'origin-partial');
  const inFlight = errorDocument(new PushInFlightError('SIGTERM', 'origin', 20));
  assert.equal(inFlight, { status: 'push-in-flight', error: {
    message: 'SIGTERM: stopped while the push to origin was still running after 20 s; it may still land on origin',
    hint: 're-run the cut: it reads origin, then finishes what is missing (or removes what is left here)',
    exitCode: 130,
  } });

  const unexpected = errorDocument(new Error('boom at https://user:secret-token@example.com/x'));
  assert.equal(unexpected, { status: 'failed', error: { message: 'unexpected error: boom at https://***@example.com/x', hint: 're-run with --verbose for details', exitCode: 1 } });
});

result.run();
