import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cardsNotReadyFirst, deployedState, renderCard } from '../../src/status/render.js';

const render = suite('release:status, pure parts');
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

render('a deployment against main: the same commit, behind, ahead, diverged, unknown', () => {
  assert.is(deployedState(A, A, true, true), 'runs main');
  assert.is(deployedState(A, B, true, false), 'behind main');
  assert.is(deployedState(A, B, false, true), 'ahead of main');
  assert.is(deployedState(A, B, false, false), 'diverged from main');
  assert.is(deployedState(null, B, false, false), 'unknown');
});

render('cards not ready come first, then those Jira did not describe, then the ready ones; by key number within each', () => {
  const cards = [
    { key: 'EPN-10', ready: true }, { key: 'EPN-9', ready: false }, { key: 'EPN-2', ready: null }, { key: 'EPN-11', ready: false },
  ];
  assert.equal(cardsNotReadyFirst(cards).map((card) => card.key), ['EPN-9', 'EPN-11', 'EPN-2', 'EPN-10']);
});

render('a card\'s commits say their release and places, and an unreadable place says why', () => {
  const text = renderCard({
    key: 'EPN-1',
    commits: [{ sha: A, subject: 'EPN-1: login', release: 'release/2026-12-01', places: ['develop', 'main'] }, { sha: B, subject: 'EPN-1: fix', release: null, places: ['develop'] }],
    jira: { status: 'In QA', fixVersions: ['release/2026-12-01'] },
    placesRead: [{ place: 'production', remote: 'production', branch: 'main', sha: null, problem: 'no git remote named "production"' }],
  });
  assert.match(text, 'EPN-1: 2 commits\n  Jira: In QA; fixVersions: release/2026-12-01\n  aaaaaaa EPN-1: login\n      in release/2026-12-01; on develop, main\n  bbbbbbb EPN-1: fix\n      in no release yet; on develop\n');
  assert.match(text, 'production production/main unknown: no git remote named "production"');
});

render.run();
