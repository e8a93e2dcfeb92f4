import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { appendEvents, decideClaims, latestOutcomes, parseRecord, recordText, stamp, type RecordEvent } from '../../src/record/record.js';

const record = suite('release record text');

const at = (minutesAgo: number, now: Date): string => new Date(now.getTime() - minutesAgo * 60_000).toISOString();

record('a note written before events existed reads as the report with no events', () => {
  const parsed = parseRecord<{ tag: string }>('{"tag":"release/2026-12-01"}\n');
  assert.equal(parsed, { report: { tag: 'release/2026-12-01' }, events: [] });
});

record('appending keeps every byte that was there, a missing final newline included', () => {
  const events = stamp([{ event: 'cut', tag: 't', commit: 'c' }], new Date('2026-12-01T12:00:00Z'), 'ana@box (pid 1)');
  const before = '{"tag":"t"}\n{"event":"mystery","at":"x","by":"y"}';
  const after = appendEvents(before, events);
  assert.is(after.slice(0, before.length), before);
  assert.is(after, `${before}\n{"event":"cut","tag":"t","commit":"c","at":"2026-12-01T12:00:00.000Z","by":"ana@box (pid 1)"}\n`);
  assert.equal(parseRecord(after)?.events.map((event) => event.event), ['mystery', 'cut']);
});

record('a line that is not JSON (a hand edit) is passed over; a first line that is not JSON is no record', () => {
  assert.equal(parseRecord('{"tag":"t"}\nnot json\n{"event":"cut","tag":"t","commit":"c","at":"a","by":"b"}\n')?.events.length, 1);
  assert.is(parseRecord('hello\n'), null);
  assert.equal(parseRecord(recordText({ tag: 't' }))?.report, { tag: 't' });
});

const decide = suite('claims: who may send on a channel');
const NOW = new Date('2026-12-01T12:00:00Z');
const claim = (channel: string, id: string, minutesAgo: number, by = 'bo@ci (pid 7)'): RecordEvent => ({ event: 'claim', channel, claim: id, at: at(minutesAgo, NOW), by });
const shared = (channel: string, id: string, status: 'sent' | 'failed'): RecordEvent => ({ event: 'shared', channel, claim: id, status, detail: 'd', at: at(0, NOW), by: 'bo@ci (pid 7)' });

decide('an unclaimed channel, and one whose claim has an outcome, are sent', () => {
  assert.equal(decideClaims([claim('slack', 'a', 1), shared('slack', 'a', 'failed')], ['slack', 'email'], NOW, 15 * 60_000), { send: ['slack', 'email'], held: [], takenOver: [] });
});

decide('a fresh claim without an outcome holds its channel; an old one is taken over', () => {
  const decision = decideClaims([claim('slack', 'a', 2), claim('email', 'b', 20)], ['slack', 'email'], NOW, 15 * 60_000);
  assert.equal(decision.send, ['email']);
  assert.equal(decision.held.map((held) => [held.channel, held.by, held.ageMs]), [['slack', 'bo@ci (pid 7)', 2 * 60_000]]);
  assert.equal(decision.takenOver.map((held) => [held.channel, held.ageMs]), [['email', 20 * 60_000]]);
});

decide('only the newest claim of a channel counts: a re-send claimed after an answered one holds it', () => {
  const events = [claim('slack', 'a', 30), shared('slack', 'a', 'sent'), claim('slack', 'b', 1)];
  assert.equal(decideClaims(events, ['slack'], NOW, 15 * 60_000).held.map((held) => held.channel), ['slack']);
  assert.equal(latestOutcomes(events).get('slack')?.status, 'sent');
});

decide.run();
record.run();
