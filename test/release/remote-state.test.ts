import * as assert from 'uvu/assert';
import { gitFailureReason } from '../../src/git.js';
import { releaseTagOf, withReleaseTrailer } from '../../src/release/notes.js';
import { describePartial, judgeRemote } from '../../src/release/remote-state.js';
import { suite } from '../helpers/suite.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const R = 'c'.repeat(40);
const T = 'd'.repeat(40);
const pushed = [
  { ref: 'refs/heads/main', oldSha: A, newSha: R },
  { ref: 'refs/heads/develop', oldSha: B, newSha: R },
  { ref: 'refs/tags/release/2026-11-24', oldSha: null, newSha: T },
];

const judge = suite('judgeRemote: where a push stands, from what the remote shows');

judge('all refs at the pushed values: applied; none: untouched; some: partial, each ref named with its command', () => {
  assert.equal(judgeRemote(pushed, new Map([['refs/heads/main', R], ['refs/heads/develop', R], ['refs/tags/release/2026-11-24', T]])), { kind: 'applied' });
  assert.equal(judgeRemote(pushed, new Map([['refs/heads/main', A], ['refs/heads/develop', B]])), { kind: 'untouched' });
  const partial = judgeRemote(pushed, new Map([['refs/heads/main', R], ['refs/heads/develop', B]]));
  assert.equal(partial, { kind: 'partial', applied: ['refs/heads/main'], missing: ['refs/heads/develop', 'refs/tags/release/2026-11-24'], movedByOthers: [] });
  assert.is(describePartial('origin', partial as Extract<typeof partial, { kind: 'partial' }>),
    'origin has main; origin lacks develop: git push origin refs/heads/develop:refs/heads/develop; origin lacks release/2026-11-24: git push origin refs/tags/release/2026-11-24:refs/tags/release/2026-11-24');
});

judge('a ref someone else moved, with nothing of ours applied, is untouched by this push (roll back)', () => {
  assert.equal(judgeRemote(pushed, new Map([['refs/heads/main', 'e'.repeat(40)], ['refs/heads/develop', B]])), { kind: 'untouched' });
});

judge('partial with a ref moved by someone else and one deleted on the remote: each named with what to do', () => {
  const moved = 'e'.repeat(40);
  const partial = judgeRemote(pushed, new Map([['refs/heads/main', R], ['refs/heads/develop', moved]]));
  assert.equal(partial, { kind: 'partial', applied: ['refs/heads/main'], missing: ['refs/tags/release/2026-11-24'], movedByOthers: ['refs/heads/develop'] });
  assert.is(describePartial('origin', partial as Extract<typeof partial, { kind: 'partial' }>),
    "origin has main; origin lacks release/2026-11-24: git push origin refs/tags/release/2026-11-24:refs/tags/release/2026-11-24; origin's develop was moved by someone else meanwhile: fetch and compare before pushing it");
  const deleted = judgeRemote(pushed, new Map([['refs/heads/main', R], ['refs/tags/release/2026-11-24', T]]));
  assert.equal(deleted, { kind: 'partial', applied: ['refs/heads/main', 'refs/tags/release/2026-11-24'], missing: ['refs/heads/develop'], movedByOthers: [] }, 'a branch gone from the remote lacks the release');
});

judge('only the leading refs/heads/ or refs/tags/ is dropped from a name; other refs keep theirs', () => {
  assert.is(describePartial('staging', { kind: 'partial', applied: ['refs/notes/release-cut', 'refs/notes/refs/tags/x'], missing: ['refs/heads/team/refs/heads/x'], movedByOthers: [] }),
    'staging has refs/notes/release-cut; staging has refs/notes/refs/tags/x; staging lacks team/refs/heads/x: git push staging refs/heads/team/refs/heads/x:refs/heads/team/refs/heads/x');
});

const reasons = suite("gitFailureReason: git's own words");

reasons('--porcelain rejections read as git prints them, remote lines kept, the closing summary dropped', () => {
  const reason = gitFailureReason({
    exitCode: 1,
    stdout: 'To git://127.0.0.1/origin.git\n!\trefs/heads/main:refs/heads/main\t[remote rejected] (shallow update not allowed)\n!\trefs/tags/release/x:refs/tags/release/x\t[rejected] (atomic push failed)\nDone\n',
    stderr: 'remote: protected branch\nerror: failed to push some refs to \'git://127.0.0.1/origin.git\'\n',
  });
  assert.is(reason, '! [remote rejected] main -> main (shallow update not allowed) / ! [rejected] release/x -> release/x (atomic push failed) / remote: protected branch');
});

reasons("fetch's refusal, and an exit with nothing said", () => {
  assert.is(gitFailureReason({ exitCode: 1, stdout: '', stderr: 'From /o\n ! [rejected]        release/x  -> release/x  (would clobber existing tag)\n' }),
    '! [rejected] release/x -> release/x (would clobber existing tag)');
  assert.is(gitFailureReason({ exitCode: 130, stdout: '', stderr: '' }), 'git exited with status 130');
});

const trailer = suite('Release-Cut trailer: the cut knows its own commits');

trailer('added to a message and found again; a user commit has none', () => {
  const message = withReleaseTrailer('chore(release): release/2026-11-24\n\nAdd the section.\n', 'release/2026-11-24');
  assert.is(message, 'chore(release): release/2026-11-24\n\nAdd the section.\n\nRelease-Cut: release/2026-11-24\n');
  assert.is(releaseTagOf(message), 'release/2026-11-24');
  assert.is(releaseTagOf('EPN-1: mentions Release-Cut: in passing'), null);
});

judge.run();
reasons.run();
trailer.run();
