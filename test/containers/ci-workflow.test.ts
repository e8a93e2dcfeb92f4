import { rm } from 'node:fs/promises';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { docker } from '../helpers/docker.js';
import { freshCloneOfWorkTree, readWorkflow, runJobSteps } from '../helpers/workflow.js';

const ciContainers = suite('ci.yml containers job');

ciContainers('the containers job\'s commands pass in a fresh clone on this machine', async () => {
  const job = (await readWorkflow('ci.yml')).jobs.containers!;
  const clone = await freshCloneOfWorkTree();
  const { stdout: sha } = await execa('git', ['rev-parse', 'HEAD'], { cwd: clone });
  try {
    const results = await runJobSteps(job, {
      cwd: clone,
      runnerEnv: { CI: 'true', GITHUB_SHA: sha, HUSKY: '0' },
      // This test is part of the container suite, which would otherwise run itself again; the
      // compose suite runs beside it in the same `npm run test:containers`.
      substitute: (run) => (run.trim() === 'npm run test:containers' ? 'npm run test:containers -- image' : run),
    });
    const failed = results.filter((result) => result.exitCode > 0);
    assert.equal(failed.map((result) => result.step), [], failed.map((result) => `${result.step}:\n${result.output}`).join('\n\n'));
    assert.equal(results.filter((result) => result.exitCode === 0).length, 3, 'install, build, container suite');
    assert.match(await docker(['image', 'inspect', '--format', '{{.Config.User}}', `hello-app:${sha}`]), 'node');
  } finally {
    await docker(['image', 'rm', '--force', `hello-app:${sha}`]).catch(() => undefined);
    await rm(clone, { recursive: true, force: true });
  }
});

ciContainers.run();
