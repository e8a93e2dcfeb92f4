import * as assert from 'uvu/assert';
import { registerNeeding, type SystemTool } from './helpers/system-tool.js';
import { suite } from './helpers/suite.js';

const MISSING: SystemTool = { name: 'no-such-tool', probe: ['no-such-tool-24', '--version'], install: 'apt-get install no-such-tool' };
const HERE: SystemTool = { name: 'sh', probe: ['sh', '-c', 'exit 0'], install: 'a POSIX shell' };

/** What registering one test through registerNeeding did: registered, skipped, and the lines printed. */
async function register(tools: SystemTool[], ci: string | undefined): Promise<{ registered: string[]; skipped: string[]; printed: string[]; ran: unknown[] }> {
  const registered: string[] = [];
  const skipped: string[] = [];
  const printed: string[] = [];
  const ran: unknown[] = [];
  const log = console.log;
  const before = process.env.CI;
  console.log = (line: string) => void printed.push(line);
  if (ci === undefined) delete process.env.CI;
  else process.env.CI = ci;
  try {
    const needing = registerNeeding<() => Promise<void>>((name, run) => {
      registered.push(name);
      ran.push(run().then(() => 'passed', (error: Error) => error.message));
    }, tools, (name) => void skipped.push(name));
    needing('signs the tag', async () => undefined);
  } finally {
    console.log = log;
    if (before === undefined) delete process.env.CI;
    else process.env.CI = before;
  }
  return { registered, skipped, printed, ran: await Promise.all(ran) };
}

const tools = suite('tests that need a system tool');

tools('present: registered and run', async () => {
  assert.equal(await register([HERE], undefined), { registered: ['signs the tag'], skipped: [], printed: [], ran: ['passed'] });
});

tools('missing: skipped (never run, never counted as passed) with one line naming the tool and how to get it', async () => {
  const { registered, skipped, printed, ran } = await register([HERE, MISSING], undefined);
  assert.equal([registered, skipped, ran], [[], ['signs the tag'], []]);
  assert.equal(printed, ['skipped "signs the tag": no-such-tool is not installed (apt-get install no-such-tool); CI=true makes this a failure']);
});

tools('missing under CI=true: the test is registered and fails, saying why', async () => {
  const { registered, skipped, ran } = await register([MISSING], 'true');
  assert.equal([registered, skipped], [['signs the tag'], []]);
  assert.equal(ran, ['no-such-tool is not installed (apt-get install no-such-tool), and CI must run this test']);
});
tools.run();
