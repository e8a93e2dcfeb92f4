import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lintDockerfile } from './helpers/dockerfile-lint.js';
import { PROJECT_ROOT } from './helpers/hooks.js';

const lint = suite('Dockerfile lint');

lint('the project Dockerfile has no findings', async () => {
  assert.equal(lintDockerfile(await readFile(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8')), []);
});

lint('the base image is the official node image with the major as a build argument, default 24', async () => {
  const dockerfile = await readFile(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
  assert.match(dockerfile, /^ARG NODE_VERSION=24$/m);
  assert.equal(dockerfile.match(/^FROM .*/gm), [
    'FROM node:${NODE_VERSION}-bookworm-slim AS build',
    'FROM node:${NODE_VERSION}-bookworm-slim AS runtime-deps',
    'FROM node:${NODE_VERSION}-bookworm-slim',
  ]);
});

const badDockerfiles: Array<[string, string, string]> = [
  ['untagged base image', 'FROM node\nUSER node\nCMD ["node"]\n', 'DL3006'],
  ['latest tag', 'FROM node:latest\nUSER node\nCMD ["node"]\n', 'DL3007'],
  ['no USER in the final stage', 'FROM node:24 AS build\nUSER node\nFROM node:24\nCMD ["node"]\n', 'DL3002'],
  ['root as the last USER', 'FROM node:24\nUSER node\nUSER root\nCMD ["node"]\n', 'DL3002'],
  ['ADD for local files', 'FROM node:24\nADD . /app\nUSER node\nCMD ["node"]\n', 'DL3020'],
  ['shell-form CMD', 'FROM node:24\nUSER node\nCMD node server.js\n', 'DL3025'],
  ['cd in RUN', 'FROM node:24\nRUN cd /app && npm ci\nUSER node\nCMD ["node"]\n', 'DL3003'],
  ['sudo in RUN', 'FROM node:24\nRUN sudo npm ci\nUSER node\nCMD ["node"]\n', 'DL3004'],
  ['pipe without pipefail', 'FROM node:24\nRUN curl -s x | sh\nUSER node\nCMD ["node"]\n', 'DL4006'],
  ['apt-get without --no-install-recommends', 'FROM node:24\nRUN apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nUSER node\nCMD ["node"]\n', 'DL3015'],
  ['apt lists left behind', 'FROM node:24\nRUN apt-get install -y --no-install-recommends curl\nUSER node\nCMD ["node"]\n', 'DL3009'],
  ['BuildKit-only RUN --mount', 'FROM node:24\nRUN --mount=type=cache,target=/root/.npm npm ci\nUSER node\nCMD ["node"]\n', 'CLASSIC'],
  ['relative WORKDIR (dockerfile-utils)', 'FROM node:24\nWORKDIR app\nUSER node\nCMD ["node"]\n', 'DU50'],
  ['two CMDs in a stage (dockerfile-utils)', 'FROM node:24\nUSER node\nCMD ["a"]\nCMD ["node"]\n', 'DU37'],
];

for (const [problem, content, code] of badDockerfiles) {
  lint(`flags ${problem} as ${code}`, () => {
    const codes = lintDockerfile(content).map((finding) => finding.code);
    assert.ok(codes.includes(code), `expected ${code}, got ${JSON.stringify(codes)}`);
  });
}

lint('a clean multi-stage Dockerfile passes, stage names are not images', () => {
  const clean = 'FROM node:24 AS build\nWORKDIR /src\nRUN npm ci\nFROM build AS test\nFROM node:24\nCOPY --from=build /src /app\nUSER node\nCMD ["node", "/app"]\n';
  assert.equal(lintDockerfile(clean), []);
});

lint.run();
