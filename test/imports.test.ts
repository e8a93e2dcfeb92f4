import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

/** Every relative import of every module under src/, as `from -> to` paths relative to src/. */
function importGraph(): { from: string; to: string }[] {
  const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
  return files.flatMap((file) => {
    const text = readFileSync(path.join(src, file), 'utf8');
    return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((match) => ({
      from: file,
      to: path.relative(src, path.resolve(path.dirname(path.join(src, file)), match[1]!)).replace(/\.js$/, '.ts'),
    }));
  });
}

const layers = suite('module layers');

layers('the floors import only downwards: notify/ over release/ over jira/, and jira/ knows neither', () => {
  const graph = importGraph();
  assert.ok(graph.length > 40, `${graph.length} imports read`);
  const crossing = (fromDir: string, toDir: string): string[] =>
    graph.filter((edge) => edge.from.startsWith(`${fromDir}/`) && edge.to.startsWith(`${toDir}/`)).map((edge) => `${edge.from} -> ${edge.to}`);
  assert.equal(crossing('release', 'notify'), [], 'release/ does not import notify/ (the cut gets the notifiers passed in)');
  assert.equal(crossing('jira', 'release'), []);
  assert.equal(crossing('jira', 'notify'), []);
  for (const above of ['release', 'notify', 'jira']) assert.equal(crossing('deploy', above), [], `deploy/ (the verifier) knows nothing of ${above}/`);
  for (const shared of ['http.ts', 'redact.ts', 'config.ts']) {
    assert.equal(graph.filter((edge) => edge.from === shared && /^(release|notify|jira)\//.test(edge.to)).map((edge) => edge.to), [], `${shared} sits below them all`);
  }
  assert.equal(crossing('record', 'release'), [], 'the record sits below release/: it knows no report type');
  assert.equal(crossing('record', 'notify'), []);
  for (const command of ['cut', 'week', 'status']) {
    assert.equal(crossing('release', command), [], `release/ (the shared floor) does not import ${command}/`);
    assert.equal(crossing('notify', command), [], `notify/ does not import ${command}/`);
    for (const peer of ['cut', 'week', 'status'].filter((other) => other !== command)) {
      assert.equal(crossing(command, peer), [], `${command}/ and ${peer}/ are peers: neither imports the other`);
    }
  }
  assert.equal(crossing('cut', 'notify'), [], 'the cut gets the notifiers passed in');
  assert.ok(graph.some((edge) => edge.from.startsWith('cut/') && edge.to === 'jira/details.ts'), 'the cut uses the Jira client');
  assert.ok(graph.some((edge) => edge.from.startsWith('notify/') && edge.to.startsWith('jira/')), 'the notifiers use the Jira client');
});

layers.run();
