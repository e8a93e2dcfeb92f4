import { commit, git, type Sandbox } from './sandbox.js';

export const DEMO_CONFIG = {
  name: 'shop',
  private: true,
  releaseCut: { jiraProjectKeys: ['EPN', 'OPS'], jiraBaseUrl: 'https://example.atlassian.net' },
};

/**
 * A week of realistic work: keys in subjects, bodies, trailers and browse URLs, a feature
 * branch merged by pull request, commits QA will ask about, a breaking change on develop,
 * and a hotfix that went straight to main.
 */
export async function seedDemoWeek(sandbox: Sandbox): Promise<void> {
  const w = git(sandbox.work);
  await w`git checkout --quiet develop`;
  await commit(sandbox.work, 'EPN-101: add the login form', { 'src/login.ts': 'export const login = true;\n' });
  await commit(sandbox.work, 'feat(auth): remember me on this device\n\nRefs: EPN-101', { 'src/remember.ts': 'export const remember = true;\n' });
  await commit(sandbox.work, 'fix(cart): handle an empty cart\n\nFixes https://example.atlassian.net/browse/EPN-117', { 'src/cart.ts': 'export const cart = [];\n' });
  await commit(sandbox.work, 'OPS-7: run CI on Node 24', { '.nvmrc': '24\n' });
  await commit(sandbox.work, 'chore: update dependencies', { 'deps.txt': 'koa 3\n' });
  await commit(sandbox.work, 'fix(export): write CSV as UTF-8 with a SHA-256 checksum (EPN-150)', { 'src/export.ts': 'export const csv = "utf-8";\n' });
  await w`git checkout --quiet -b feature/EPN-130-search`;
  await commit(sandbox.work, 'feat(search): search products by name', { 'src/search.ts': 'export const search = 1;\n' });
  await commit(sandbox.work, 'feat(search): highlight matches', { 'src/search.ts': 'export const search = 2;\n' });
  await w`git checkout --quiet develop`;
  await w`git merge --quiet --no-ff --no-verify -m ${'Merge pull request #42 from shop/feature/EPN-130-search'} feature/EPN-130-search`;
  await w`git branch --quiet -D feature/EPN-130-search`;
  await commit(sandbox.work, 'feat(api)!: drop the v1 endpoints\n\nEPN-140\n\nBREAKING CHANGE: /v1 is gone; clients use /v2.', { 'src/api.ts': 'export const version = 2;\n' });
  await commit(sandbox.work, 'docs: explain the weekly release', { 'docs/release.md': 'Tuesdays at noon.\n' });
  await w`git push --quiet origin develop`;

  await w`git checkout --quiet main`;
  await commit(sandbox.work, 'OPS-9: hotfix the payment timeout', { 'src/payment.ts': 'export const timeoutMs = 5000;\n' });
  await w`git push --quiet origin main`;
}
