import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repositoryFile } from './repository-files.js';
import { resourcesOfType, synthesized } from './synth.js';

const architecture = repositoryFile('docs/architecture.md');
const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

/** The rows of the Markdown table whose header row starts with `header`. */
function tableRows(markdown: string, header: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.startsWith(header));
  assert.ok(start >= 0, `a table headed "${header}"`);
  const rows: string[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line);
  }
  return rows;
}

for (const environment of ['staging', 'production'] as const) {
  test(`docs/architecture.md: the alarm table has one row per alarm of the ${environment} template`, () => {
    const alarms = resourcesOfType(synthesized(environment).resources, 'AWS::CloudWatch::Alarm');
    assert.is(tableRows(architecture, '| alarm | metric |').length, alarms.length);
  });
}

test('docs/architecture.md: every "N alarms" in the text is the template\'s count', () => {
  const count = resourcesOfType(synthesized('production').resources, 'AWS::CloudWatch::Alarm').length;
  const claims = [...architecture.matchAll(/\b(\d+|[a-z]+) alarms\b/gi)]
    .map((match) => match[1]!.toLowerCase())
    .map((word) => (/^\d+$/.test(word) ? Number(word) : NUMBER_WORDS.indexOf(word)))
    .filter((number) => number >= 0);
  assert.ok(claims.length >= 2, `the doc states the count: ${claims.join(', ')}`);
  assert.equal([...new Set(claims)], [count]);
});

test('docs/architecture.md: the load balancer checks /healthz; TLS to the database is verified', () => {
  assert.match(architecture, /ALB target group \| `GET \/healthz`/);
  assert.not.match(architecture, 'sslmode=no-verify');
  assert.match(architecture, /verify-full/);
});

test.run();
