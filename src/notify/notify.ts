import type { Channel, NotifyConfig } from '../config.js';
import { redact } from '../redact.js';
import { repoWebOf } from '../release/repo-url.js';
import type { ReleaseReport } from '../release/report.js';
import { buildEmail, sendEmail } from './email.js';
import { buildGithubRelease, publishGithubRelease } from './github.js';
import type { HttpLimits } from './http.js';
import { buildSlackMessage, sendSlackMessage } from './slack.js';
import { releaseView, type ReleaseView } from './view.js';

export const CHANNELS = ['slack', 'email', 'github'] as const;
export type ChannelName = (typeof CHANNELS)[number];

export interface ChannelResult {
  channel: ChannelName;
  status: 'sent' | 'failed' | 'off' | 'dry-run';
  /** What happened, or why the channel is off or failed (secrets masked). */
  detail: string;
  /** With --dry-run: what the channel would send. */
  preview?: string;
}

export interface NotifyOptions {
  /** Only these channels (release:notify --channel); all configured ones by default. */
  channels?: readonly ChannelName[];
  dryRun: boolean;
  say: (line: string) => void;
  /** The origin remote's URL: the GitHub repository when GITHUB_REPOSITORY is not set. */
  originUrl: string | null;
}

interface Sender {
  channel: ChannelName;
  setting: Channel<unknown>;
  /** The payload as it would go out, for --dry-run. */
  preview: () => string;
  send: () => Promise<string>;
}

function githubRepository(config: NotifyConfig, originUrl: string | null): string | null {
  if (!config.github.on) return null;
  if (config.github.settings.repository) return config.github.settings.repository;
  const web = repoWebOf(originUrl);
  return web && !web.host.includes('gitlab') && web.path.split('/').length === 2 ? web.path : null;
}

function senders(view: ReleaseView, config: NotifyConfig, originUrl: string | null): Sender[] {
  const limits: HttpLimits = { timeoutMs: config.timeoutMs, maxRetryWaitMs: config.maxRetryWaitMs };
  const repository = githubRepository(config, originUrl);
  return [
    {
      channel: 'slack',
      setting: config.slack,
      preview: () => JSON.stringify(buildSlackMessage(view), null, 2),
      send: async () => config.slack.on ? sendSlackMessage(buildSlackMessage(view), config.slack.settings, limits) : 'off',
    },
    {
      channel: 'email',
      setting: config.email,
      preview: () => {
        const message = buildEmail(view);
        const to = config.email.on ? config.email.settings.to.join(', ') : '';
        return `To: ${to}\nSubject: ${message.subject}\n\n${message.text}`;
      },
      send: async () => config.email.on ? sendEmail(buildEmail(view), config.email.settings, config.timeoutMs) : 'off',
    },
    {
      channel: 'github',
      setting: config.github,
      preview: () => {
        const release = buildGithubRelease(view);
        return `POST /repos/${repository ?? '<owner>/<name>'}/releases  tag ${release.tag_name}, name ${release.name}\n\n${release.body}`;
      },
      send: async () => {
        if (!config.github.on) return 'off';
        if (!repository) throw new Error('no repository: set GITHUB_REPOSITORY=owner/name (the origin remote is not a GitHub URL)');
        return publishGithubRelease(buildGithubRelease(view), config.github.settings, repository, limits);
      },
    },
  ];
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Sends the report to every configured channel (or only `channels`), all at once: one failing
 * channel does not keep the others from sending. Never throws; each result says what happened.
 */
export async function notifyRelease(report: ReleaseReport, config: NotifyConfig, options: NotifyOptions): Promise<ChannelResult[]> {
  const view = releaseView(report);
  const mask = (text: string): string => redact(text, config.secrets);
  const chosen = senders(view, config, options.originUrl).filter((sender) => !options.channels || options.channels.includes(sender.channel));
  options.say(`share: ${chosen.map(({ channel, setting }) => (setting.on ? `${channel} on` : `${channel} off (${setting.reason})`)).join(', ')}`);
  const results = await Promise.all(chosen.map(async (sender): Promise<ChannelResult> => {
    if (!sender.setting.on) return { channel: sender.channel, status: 'off', detail: sender.setting.reason };
    if (options.dryRun) return { channel: sender.channel, status: 'dry-run', detail: 'would send; nothing sent', preview: mask(sender.preview()) };
    try {
      return { channel: sender.channel, status: 'sent', detail: mask(await sender.send()) };
    } catch (error) {
      return { channel: sender.channel, status: 'failed', detail: mask(reasonOf(error)) };
    }
  }));
  for (const result of results) {
    if (result.status === 'sent' || result.status === 'failed') options.say(`share: ${result.channel} ${result.status}: ${result.detail}`);
  }
  return results;
}

export function failedChannels(results: readonly ChannelResult[] | undefined): ChannelResult[] {
  return (results ?? []).filter((result) => result.status === 'failed');
}

/** The report's channel results with `latest` replacing earlier results of the same channels. */
export function mergeResults(previous: readonly ChannelResult[] | undefined, latest: readonly ChannelResult[]): ChannelResult[] {
  const sentNow = new Set(latest.map((result) => result.channel));
  return [...(previous ?? []).filter((result) => !sentNow.has(result.channel)), ...latest];
}
