import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { docker } from '../helpers/docker.js';
import { readWorkflow, runJobInFreshClone } from '../helpers/workflow.js';

const ciContainers = suite('ci.yml containers job');

ciContainers('the containers job\'s commands pass in a fresh clone on this machine', async () => {
  const job = (await readWorkflow('ci.yml')).jobs.containers!;
  const { sha, results, failures } = await runJobInFreshClone(job, {
    // This test is part of the container suite, which would otherwise run itself again; the
    // compose suite runs beside it in the same `npm run test:containers`.
    substitute: (run) => (run.trim() === 'npm run test:containers' ? 'npm run test:containers -- image' : run),
  });
  try {
    assert.is(failures, '', failures);
    assert.equal(results.filter((result) => result.exitCode === 0).length, 3, 'install, build, container suite');
    assert.match(await docker(['image', 'inspect', '--format', '{{.Config.User}}', `hello-app:${sha}`]), 'node');
  } finally {
    await docker(['image', 'rm', '--force', `hello-app:${sha}`]).catch(() => undefined);
  }
});

ciContainers.run();
