/**
 * The modules whose mistakes ship wrong releases, each with the focused uvu suites that must
 * kill its mutants (words of `node dist/test/run.js`). Slow real-git suites stay out: a mutant
 * is run against these suites only, so they alone must catch it.
 */
export const MODULES = {
  'jira-keys': { mutate: ['src/jira-keys.ts'], suites: ['jira-keys.test', 'hook-rules.test'] },
  'commit-message': { mutate: ['src/commit-message.ts'], suites: ['commit-message.test'] },
  changelog: { mutate: ['src/release/changelog.ts', 'src/release/changelog-file.ts'], suites: ['release/changelog'] },
  'push-outcome': { mutate: ['src/release/remote-state.ts'], suites: ['release/remote-state'] },
  redact: { mutate: ['src/redact.ts'], suites: ['redact.test', 'config.test', 'notify/builders.test'] },
  plan: { mutate: ['src/release/plan.ts'], suites: ['release/plan'] },
};
