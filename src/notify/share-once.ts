import { shareDeadline, type BudgetSetting, type Deadline } from '../budget.js';
import type { NotifyConfig } from '../config.js';
import { decideClaims, describeAge, latestOutcomes, type ClaimDecision, type NewEvent, type RecordEvent } from '../record/record.js';
import { RecordWriteError, type RecordStore } from '../record/store.js';
import type { ShareOptions } from '../release/share.js';
import type { ReleaseReport } from '../release/report.js';
import { CHANNELS, channelsToResend, notifyRelease, type ChannelName, type ChannelResult } from './notify.js';

export interface ShareOnceOptions {
  /** The release's records; the report's releaseCommit names its record. */
  store: RecordStore;
  /** Only these channels (--channel); else those whose record shows no success (all with `force`). */
  channels?: readonly ChannelName[];
  force: boolean;
  dryRun: boolean;
  claimTimeoutMs: number;
  say: (line: string) => void;
  originUrl: string | null;
  now?: () => Date;
  /**
   * What is shared, when it is not the release itself: the record keeps its channels apart
   * (`stage:abc1234:slack`), so that announcing a stage is decided and claimed on its own.
   */
  scope?: string;
  /** The report a channel sends, when it differs from `report` (the GitHub release keeps the whole release). */
  reportFor?: (channel: ChannelName) => ReleaseReport;
  /** The whole share's end, when the share began before (release:notify's Jira details); else it begins here. */
  deadline?: Deadline;
}

const RECORD_RETRIES = 3;

const isOn = (config: NotifyConfig, channel: ChannelName): boolean => (channel === 'jira' ? config.jiraRelease : config[channel]).on;

/**
 * Shares the release on each channel at most once, whichever clone or machine runs it: the
 * channels to send are decided from the release record on the remote, claimed there (a
 * compare-and-swap append) before anything is sent, and their outcomes appended afterwards.
 * A channel claimed by another run that has not answered is left to it until the claim times out.
 */
export async function shareOnce(report: ReleaseReport, config: NotifyConfig, options: ShareOnceOptions): Promise<ChannelResult[]> {
  const { store, say } = options;
  const deadline = options.deadline ?? shareDeadline(config.budgets);
  const commit = report.releaseCommit!;
  const now = options.now ?? (() => new Date());
  const scoped = (channel: string): string => (options.scope ? `${options.scope}:${channel}` : channel);
  const outcomesInScope = (events: readonly RecordEvent[]): { channel: string; status: string }[] =>
    CHANNELS.flatMap((channel) => {
      const outcome = latestOutcomes(events).get(scoped(channel));
      return outcome ? [{ channel, status: outcome.status }] : [];
    });
  const send = (channels: ChannelName[], dryRun: boolean): Promise<ChannelResult[]> => sendGrouped(report, config, channels, { dryRun, say, originUrl: options.originUrl, reportFor: options.reportFor, deadline });
  if (options.dryRun) {
    const record = await store.read(commit);
    return send(channelsToResend(outcomesInScope(record?.events ?? []), options.channels, options.force), true);
  }
  let decision: ClaimDecision = { send: [], held: [], takenOver: [] };
  let wanted: ChannelName[] = [];
  const claims = new Map<string, string>();
  try {
    await store.append<ReleaseReport>(commit, (record) => {
      const events = record?.events ?? [];
      wanted = channelsToResend(outcomesInScope(events), options.channels, options.force);
      const scopedDecision = decideClaims(events, wanted.filter((channel) => isOn(config, channel)).map(scoped), now(), options.claimTimeoutMs);
      const unscoped = (name: string): string => name.slice(name.lastIndexOf(':') + 1);
      decision = {
        send: scopedDecision.send.map(unscoped),
        held: scopedDecision.held.map((held) => ({ ...held, channel: unscoped(held.channel) })),
        takenOver: scopedDecision.takenOver.map((held) => ({ ...held, channel: unscoped(held.channel) })),
      };
      claims.clear();
      return decision.send.map((channel): NewEvent => {
        // Web Crypto's global: node:crypto is loaded on first use, only when a channel is claimed.
        const claim = globalThis.crypto.randomUUID();
        claims.set(channel, claim);
        const takenOver = decision.takenOver.find((held) => held.channel === channel);
        return { event: 'claim', channel: scoped(channel), claim, ...(takenOver ? { takenOverFrom: takenOver.by } : {}) };
      });
    }, `release record: ${report.tag} claims channels`, { ...report, notifications: undefined, dryRun: false });
  } catch (error) {
    if (!(error instanceof RecordWriteError)) throw error;
    return wanted.filter((channel) => isOn(config, channel)).map((channel) => ({
      channel, status: 'failed', detail: `not sent: the claim could not be recorded, and a channel is only sent once it is (${error.message}; ${error.hint})`,
    }));
  }
  for (const held of decision.takenOver) {
    say(`warning: ${held.channel} was claimed by ${held.by} ${describeAge(held.ageMs)} ago, who never recorded an outcome: taking it over (it may have gone out once; check ${held.channel})`);
  }
  const heldResults = decision.held.map((held): ChannelResult => ({
    channel: held.channel as ChannelName,
    status: 'held',
    detail: `claimed by ${held.by} ${describeAge(held.ageMs)} ago and being sent there; not sent here (a claim without an outcome is taken over after ${describeAge(options.claimTimeoutMs)})`,
  }));
  for (const result of heldResults) say(`share: ${result.channel} held: ${result.detail}`);
  // Channels that are off go through too, so that the results say why they are off.
  const chosen = wanted.filter((channel) => !isOn(config, channel) || decision.send.includes(channel));
  const sent = chosen.length > 0 ? await send(chosen, false) : [];
  await recordOutcomes(report, store, sent, claims, scoped, say);
  return CHANNELS.flatMap((channel) => [...sent, ...heldResults].filter((result) => result.channel === channel));
}

/** notifyRelease, once per distinct report the channels send (see ShareOnceOptions.reportFor). */
async function sendGrouped(report: ReleaseReport, config: NotifyConfig, channels: ChannelName[], options: { dryRun: boolean; say: (line: string) => void; originUrl: string | null; reportFor?: (channel: ChannelName) => ReleaseReport; deadline: Deadline }): Promise<ChannelResult[]> {
  const byReport = new Map<ReleaseReport, ChannelName[]>();
  for (const channel of channels) {
    const chosen = options.reportFor?.(channel) ?? report;
    byReport.set(chosen, [...(byReport.get(chosen) ?? []), channel]);
  }
  const results = await Promise.all([...byReport].map(([chosen, group]) => notifyRelease(chosen, config, { channels: group, dryRun: options.dryRun, say: options.say, originUrl: options.originUrl, deadline: options.deadline })));
  return CHANNELS.flatMap((channel) => results.flat().filter((result) => result.channel === channel));
}

/** What the record says each channel did last, as channel results (for the report file). */
export function notificationsOf(events: readonly RecordEvent[]): ChannelResult[] {
  const latest = latestOutcomes(events);
  return CHANNELS.flatMap((channel) => {
    const event = latest.get(channel);
    return event ? [{ channel, status: event.status, detail: event.detail, ...(event.ref ? { ref: event.ref } : {}), ...(event.budget ? { budget: { ...event.budget, setting: event.budget.setting as BudgetSetting } } : {}) }] : [];
  });
}

/** The outcomes, appended to the record (retried: a channel sent but not recorded could be sent again once its claim times out). */
async function recordOutcomes(report: ReleaseReport, store: RecordStore, results: ChannelResult[], claims: Map<string, string>, scoped: (channel: string) => string, say: (line: string) => void): Promise<void> {
  const events = results.flatMap((result): NewEvent[] => {
    const claim = claims.get(result.channel);
    if (!claim || (result.status !== 'sent' && result.status !== 'partial' && result.status !== 'failed' && result.status !== 'not-done')) return [];
    return [{ event: 'shared', channel: scoped(result.channel), claim, status: result.status, detail: result.detail, ...(result.ref ? { ref: result.ref } : {}), ...(result.budget ? { budget: result.budget } : {}) }];
  });
  if (events.length === 0) return;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await store.append(report.releaseCommit!, () => events, `release record: ${report.tag} shared on ${events.map((event) => (event as { channel: string }).channel).join(', ')}`);
      return;
    } catch (error) {
      if (!(error instanceof RecordWriteError) || attempt >= RECORD_RETRIES) {
        const message = error instanceof Error ? error.message : String(error);
        for (const result of results) result.detail += ` (not recorded: ${message})`;
        say(`warning: what was shared could not be written to the release record (${message}); until it is, a release:notify after the claim timeout would send again`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

/** The cut's sharing: each channel once through the record; a dry run (no release yet) previews every channel. */
export function shareRelease(report: ReleaseReport, config: NotifyConfig, options: ShareOptions): Promise<ChannelResult[]> {
  if (!options.store || options.dryRun) return notifyRelease(report, config, { dryRun: options.dryRun, say: options.say, originUrl: options.originUrl });
  return shareOnce(report, config, { ...options, store: options.store, force: false });
}
