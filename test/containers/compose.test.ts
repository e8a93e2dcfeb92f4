import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { freePort } from '../helpers/postgres.js';
import { composeProject, docker, ensureImage, getText, inspect, uniqueName, waitHealthy, type ComposeProject } from '../helpers/docker.js';
import { waitFor } from '../helpers/app-process.js';
import { waitUntil } from '../helpers/wait.js';

const compose = suite('docker-compose: web + db with a persistent volume');
// Characters that would break a password written into a URL: the credentials travel as PG* variables.
const password = `pw:${randomBytes(6).toString('hex')}/@?#`;
let project: ComposeProject;
let projectEnv: Record<string, string>;
let web: string;

const postgresVersion = process.env.POSTGRES_VERSION ?? '17';

compose.before(async () => {
  await ensureImage(`postgres:${postgresVersion}-bookworm`);
  const port = await freePort();
  web = `http://127.0.0.1:${port}`;
  projectEnv = { POSTGRES_VERSION: postgresVersion, POSTGRES_PASSWORD: password, WEB_PORT: String(port) };
  project = await composeProject(uniqueName('hello-compose'), projectEnv);
});
compose.after(async () => {
  await project?.run(['down', '--volumes', '--rmi', 'local', '--remove-orphans']).catch((error: Error) => console.error(error.message));
});

async function up(): Promise<void> {
  await project.run(['up', '--build', '--detach']);
  await ready();
}

async function ready(): Promise<void> {
  await waitFor(`${web}/healthz`, 60_000);
  const deadline = Date.now() + 30_000;
  while ((await fetch(`${web}/readyz`)).status !== 200) {
    if (Date.now() > deadline) assert.unreachable(`web never became ready: ${await project.run(['logs', '--tail', '20'])}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function visits(): Promise<number> {
  return (JSON.parse((await getText(`${web}/visits`)).body) as { visits: number }).visits;
}

compose('up --build: db and web healthy, Hello World, the visit counter grows', async () => {
  await up();
  const db = await project.containerOf('db');
  const app = await project.containerOf('web');
  assert.ok(db && app, 'both services have a container');
  await waitHealthy(db);
  await waitHealthy(app);
  assert.is(await visits(), 0);
  assert.equal(await getText(`${web}/`), { status: 200, body: 'Hello World' });
  assert.equal(await getText(`${web}/`), { status: 200, body: 'Hello World' });
  assert.is(await visits(), 2);
});

compose('the database port is not published, web restarts unless stopped, its log is bounded', async () => {
  const db = (await project.containerOf('db'))!;
  assert.is(await docker(['port', db]), '', 'db publishes nothing on the host');
  assert.is(await inspect((await project.containerOf('web'))!, '{{.HostConfig.RestartPolicy.Name}}'), 'unless-stopped');
  assert.equal(JSON.parse(await inspect((await project.containerOf('web'))!, '{{json .HostConfig.LogConfig}}')), {
    Type: 'json-file',
    Config: { 'max-file': '5', 'max-size': '10m' },
  }, 'web\'s stdout log is bounded');
});

compose('the password never shows in the services\' logs', async () => {
  await project.run(['restart', 'web']);
  await ready();
  assert.not.match(await project.run(['logs', '--no-color']), password);
});

compose('down then up: the named volume keeps the count', async () => {
  await project.run(['down']);
  assert.is(await project.containerOf('db'), null, 'down removed the containers');
  await up();
  assert.is(await visits(), 2);
});

compose('stop then start, and stop, rm -v, then up: the count is kept', async () => {
  await project.run(['stop']);
  await project.run(['start']);
  await ready();
  assert.is(await visits(), 2);
  await project.run(['stop']);
  await project.run(['rm', '--force', '-v']);
  assert.is(await project.containerOf('db'), null, 'rm removed the containers');
  await up();
  assert.is(await visits(), 2);
});

compose('down -v then up: the volume is gone and the count starts from zero', async () => {
  await project.run(['down', '--volumes']);
  await up();
  assert.is(await visits(), 0);
  await fetch(`${web}/`);
  assert.is(await visits(), 1);
});

compose('a new POSTGRES_PASSWORD is refused until it is set inside PostgreSQL (the volume keeps the old one)', async () => {
  const newPassword = `new-${randomBytes(6).toString('hex')}`;
  const changed = await composeProject(project.name, { ...projectEnv, POSTGRES_PASSWORD: newPassword });
  await changed.run(['up', '--detach']);
  await waitFor(`${web}/healthz`, 60_000);
  const refused = await getText(`${web}/readyz`);
  assert.is(refused.status, 503, 'web has the new password, the database still the old one');
  assert.equal(JSON.parse(refused.body), { status: 'not ready', reason: 'database unreachable' }, 'the answer names no host, port or database error');
  const webContainer = (await changed.containerOf('web'))!;
  await waitUntil(async () => (await docker(['logs', webContainer]).catch(() => '')).includes('password authentication failed'), 'web\'s log to say why');

  const db = (await changed.containerOf('db'))!;
  await docker(['exec', db, 'psql', '--username', 'hello', '--dbname', 'hello', '--command', `ALTER USER hello PASSWORD '${newPassword}'`]);
  await ready();
  assert.is(await visits(), 1, 'the data is still there');
});

compose.run();

const noPassword = suite('docker-compose without POSTGRES_PASSWORD');
let bare: ComposeProject;
noPassword.before(async () => {
  bare = await composeProject(uniqueName('hello-nopw'), { POSTGRES_VERSION: postgresVersion, POSTGRES_PASSWORD: '', WEB_PORT: String(await freePort()) });
});
noPassword.after(async () => {
  await bare?.run(['down', '--volumes', '--rmi', 'local', '--remove-orphans']).catch((error: Error) => console.error(error.message));
});

noPassword('up fails and the db service says why; down works all the same', async () => {
  const up = await bare.run(['up', '--build', '--detach']).then(() => 'started', (error: Error) => error.message);
  assert.is.not(up, 'started', 'up must not succeed without a password');
  const db = await docker(['ps', '--all', '--quiet', '--filter', `label=com.docker.compose.project=${bare.name}`, '--filter', 'label=com.docker.compose.service=db']);
  assert.ok(db, 'the db container was created');
  assert.match((await execa('docker', ['logs', db], { all: true })).all, 'db: POSTGRES_PASSWORD is not set: put one in .env (generate it with: openssl rand -hex 24)');
  assert.is(await bare.containerOf('web'), null, 'web never started');
  await bare.run(['down', '--volumes']);
  assert.is(await docker(['ps', '--all', '--quiet', '--filter', `label=com.docker.compose.project=${bare.name}`]), '');
});

noPassword.run();
