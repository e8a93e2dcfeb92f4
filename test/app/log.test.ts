import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { pino } from 'pino';
import { accessLine, openLog } from '../../app/log.js';

const rotation = suite('app log: size rotation');
let dir = '';
rotation.before.each(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'app-log-')); });
rotation.after.each(() => rm(dir, { recursive: true, force: true }));

const lineCount = async (file: string): Promise<number> => (await readFile(file, 'utf8')).split('\n').filter(Boolean).length;

rotation('at 1 KB, keeping 2: app.log and app.log.1, .2 hold the newest lines in order, nothing older is kept', async () => {
  const file = path.join(dir, 'app.log');
  const log = openLog({ file, maxSize: '1K', keep: 2 });
  const padding = 'x'.repeat(200);
  // Lines wait at most 20 ms to be written together: one line per batch here.
  for (let n = 0; n < 40; n += 1) {
    log.logger.info({ n, padding }, 'line');
    await sleep(25);
  }
  await log.close();

  assert.equal((await readdir(dir)).sort(), ['app.log', 'app.log.1', 'app.log.2']);
  const lineBytes = Buffer.byteLength(`${JSON.stringify({ level: 30, time: Date.now(), n: 39, padding, msg: 'line' })}\n`);
  for (const name of ['app.log.1', 'app.log.2']) {
    const { size } = await stat(path.join(dir, name));
    assert.ok(size >= 1024 && size < 1024 + lineBytes, `${name} is ${size} bytes: rotated as soon as it reached 1 KB`);
  }
  const numbers = [];
  for (const name of ['app.log.2', 'app.log.1', 'app.log']) {
    for (const line of (await readFile(path.join(dir, name), 'utf8')).split('\n').filter(Boolean)) {
      numbers.push((JSON.parse(line) as { n: number }).n);
    }
  }
  assert.is(numbers.at(-1), 39, 'the last line is in app.log');
  assert.equal(numbers, Array.from({ length: numbers.length }, (_, index) => 40 - numbers.length + index), 'oldest to newest, none missing in between');
  assert.ok(numbers.length < 15, `only the newest lines are kept (${numbers.length} of 40)`);
});

rotation('at small limits a file overshoots LOG_MAX_SIZE by at most an eighth and a line, however fast lines come', async () => {
  const file = path.join(dir, 'app.log');
  const log = openLog({ file, maxSize: '16K', keep: 20 });
  for (let n = 0; n < 3000; n += 1) log.logger.info({ n, path: '/', status: 200, ms: 0.1, ip: '127.0.0.1' });
  await log.close();
  const files = (await readdir(dir)).filter((name) => name.startsWith('app.log.'));
  assert.ok(files.length >= 10, `${files.length} rotated files`);
  for (const name of files) {
    const { size } = await stat(path.join(dir, name));
    assert.ok(size <= 16 * 1024 * 1.125 + 200, `${name} is ${size} bytes`);
  }
});

rotation('a restart appends to app.log, and rotates it first when it is already full', async () => {
  const file = path.join(dir, 'app.log');
  const first = openLog({ file, maxSize: '1K', keep: 5 });
  first.logger.info('first run');
  await first.close();
  const second = openLog({ file, maxSize: '1K', keep: 5 });
  second.logger.info('second run');
  await second.close();
  assert.is(await lineCount(file), 2);
  assert.not.ok(existsSync(`${file}.1`));

  const full = openLog({ file, maxSize: '1K', keep: 5 });
  full.logger.info({ padding: 'x'.repeat(1100) }, 'a long line');
  await full.close();
  const third = openLog({ file, maxSize: '1K', keep: 5 });
  third.logger.info('third run');
  await third.close();
  assert.is(await lineCount(`${file}.1`), 3, 'the full file moved aside at start-up');
  assert.match(await readFile(file, 'utf8'), 'third run');
});

rotation('lines written in one turn reach the file once close() resolves', async () => {
  const file = path.join(dir, 'app.log');
  const log = openLog({ file, maxSize: '10M', keep: 5 });
  for (let n = 0; n < 500; n += 1) log.logger.info({ n });
  await log.close();
  assert.is(await lineCount(file), 500);
});

rotation('lines longer than a batch, and non-ASCII ones, arrive whole and in order', async () => {
  const file = path.join(dir, 'app.log');
  const log = openLog({ file, maxSize: '10M', keep: 5 });
  const long = 'é'.repeat(40_000);
  for (let n = 0; n < 300; n += 1) log.logger.info({ n, text: n % 100 === 50 ? long : 'Grüße, 世界' });
  await log.close();
  const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as { n: number; text: string });
  assert.equal(lines.map((line) => line.n), Array.from({ length: 300 }, (_, n) => n));
  assert.is(lines[150]!.text, long);
  assert.is(lines[151]!.text, 'Grüße, 世界');
});

rotation.run();

const access = suite('app log: access lines');

access('an access line is the line pino writes for the same fields, strings escaped alike', () => {
  const written: string[] = [];
  const logger = pino({ base: null }, { write: (line: string) => void written.push(line) });
  const path = '/a"b\\c\u0001/Grüße';
  logger.info({ method: 'GET', path, status: 404, ms: 1.2, ip: '::ffff:198.51.100.7' });
  const byHand = accessLine('GET', path, 404, 1.2345, '::ffff:198.51.100.7');
  const withoutTime = (line: string): string => line.replace(/"time":\d+/, '"time":0');
  assert.is(withoutTime(byHand), withoutTime(written[0]!));
  assert.ok(Math.abs((JSON.parse(byHand) as { time: number }).time - Date.now()) < 1_000, 'time in epoch milliseconds');
});

access.run();
