import type { Channel, NotifyConfig } from '../config.js';
import { BUDGET_SPENT, type HttpLimits } from '../http.js';
import { jiraClient } from '../jira/details.js';
import { describeJiraRelease, manageJiraRelease, markVersionReleased, type JiraCardOutcome } from '../jira/versions.js';
import { redact } from '../redact.js';
import { repoWebOf } from '../release/repo-url.js';
import { CHANNELS, type ChannelName, type ChannelResult, type ReleaseReport } from '../release/report.js';
import { buildEmail, sendEmail } from './email.js';
import { buildGithubRelease, publishGithubRelease } from './github.js';
import { buildSlackMessage, sendSlackMessage } from './slack.js';
import { releaseView, type ReleaseView } from './view.js';

export { CHANNELS, type ChannelName, type ChannelResult };

/** What a channel's send did; a plain string means it all went out. */
type SendOutcome = string | { status: 'sent' | 'partial' | 'failed'; detail: string; cards?: JiraCardOutcome[]; ref?: string };

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
  send: () => Promise<SendOutcome>;
}

function githubRepository(config: NotifyConfig, originUrl: string | null): string | null {
  if (!config.github.on) return null;
  if (config.github.settings.repository) return config.github.settings.repository;
  const web = repoWebOf(originUrl);
  return web && !web.host.includes('gitlab') && web.path.split('/').length === 2 ? web.path : null;
}

/** The jira channel: the release's version on every card, and the configured transition. */
async function releaseInJira(report: ReleaseReport, config: NotifyConfig, deadline: number): Promise<SendOutcome> {
  const client = jiraClient(config, deadline);
  if (!client || !config.jiraRelease.on) return 'off';
  if (report.jira.length === 0) return 'no Jira cards in this release: nothing to do';
  const settings = config.jiraRelease.settings;
  const inProduction = report.announces === 'production';
  const outcome = await manageJiraRelease(client, { keys: report.jira.map((card) => card.key), tag: report.tag, date: report.date }, inProduction ? { ...settings, transition: settings.promoteTransition ?? null } : settings);
  if (inProduction) {
    const today = new Date().toISOString().slice(0, 10);
    const released = await markVersionReleased(client, Object.keys(outcome.versionIds), outcome.version, today);
    Object.assign(outcome.projects, Object.fromEntries(Object.entries(released).map(([project, what]) => [project, `${outcome.projects[project]}, ${what}`])));
  }
  const failedCards = outcome.cards.filter((card) => !card.ok);
  const failedProjects = Object.values(outcome.projects).some((what) => what.includes('failed'));
  const outOfTime = failedCards.filter((card) => card.did.includes(BUDGET_SPENT));
  const projects = Object.entries(outcome.projects).map(([project, what]) => `${project} ${what}`).join(', ');
  const detail = `version "${outcome.version}" (${projects || 'no project'}) on ${outcome.cards.length - failedCards.length} of ${outcome.cards.length} cards`
    + (failedCards.length > outOfTime.length ? `; failed: ${failedCards.filter((card) => !outOfTime.includes(card)).map((card) => card.key).join(', ')}` : '')
    + (outOfTime.length > 0 ? `; ${outOfTime.length} cards not done within NOTIFY_BUDGET_MS (release:notify ${report.tag} --channel jira finishes them)` : '');
  const ref = Object.entries(outcome.versionIds).map(([project, id]) => `${project} ${id}`).join(', ');
  return { status: failedCards.length > 0 || failedProjects || outcome.problem ? 'failed' : 'sent', detail: outcome.problem ? `${outcome.problem}; ${detail}` : detail, cards: outcome.cards, ...(ref ? { ref } : {}) };
}

function senders(report: ReleaseReport, config: NotifyConfig, originUrl: string | null): Sender[] {
  // One budget from the start of the share, for every channel (they run at once).
  const deadline = Date.now() + config.budgetMs;
  const limits: HttpLimits = { timeoutMs: config.timeoutMs, maxRetryWaitMs: config.maxRetryWaitMs, proxy: config.proxy, deadline };
  const repository = githubRepository(config, originUrl);
  // Built on first use: with every channel off (most dry runs) a 10k-commit release spares the work.
  let built: ReleaseView | null = null;
  const view = (): ReleaseView => (built ??= releaseView(report));
  return [
    {
      channel: 'slack',
      setting: config.slack,
      preview: () => JSON.stringify(buildSlackMessage(view()), null, 2),
      send: async () => config.slack.on ? sendSlackMessage(buildSlackMessage(view()), config.slack.settings, limits) : 'off',
    },
    {
      channel: 'email',
      setting: config.email,
      preview: () => {
        const message = buildEmail(view());
        const to = config.email.on ? config.email.settings.to.join(', ') : '';
        return `To: ${to}\nSubject: ${message.subject}\n\n${message.text}`;
      },
      send: async () => {
        if (!config.email.on) return 'off';
        const { detail, refused, messageId } = await sendEmail(buildEmail(view()), config.email.settings, Math.max(1, Math.min(config.timeoutMs, deadline - Date.now())));
        return { status: refused.length > 0 ? 'partial' : 'sent', detail, ...(messageId ? { ref: messageId } : {}) };
      },
    },
    {
      channel: 'github',
      setting: config.github,
      preview: () => {
        const release = buildGithubRelease(view());
        return `POST /repos/${repository ?? '<owner>/<name>'}/releases  tag ${release.tag_name}, name ${release.name}\n\n${release.body}`;
      },
      send: async () => {
        if (!config.github.on) return 'off';
        if (!repository) throw new Error('no repository: set GITHUB_REPOSITORY=owner/name (the origin remote is not a GitHub URL)');
        return { status: 'sent', ...(await publishGithubRelease(buildGithubRelease(view()), config.github.settings, repository, limits)) };
      },
    },
    {
      channel: 'jira',
      setting: config.jiraRelease,
      preview: () => {
        if (!config.jiraRelease.on) return '';
        const details = report.jiraDetails;
        const unknown = new Set(details?.available ? report.jira.map((card) => card.key).filter((key) => details.issues[key] === null) : []);
        return describeJiraRelease({ keys: report.jira.map((card) => card.key), tag: report.tag, date: report.date }, config.jiraRelease.settings, unknown);
      },
      send: () => releaseInJira(report, config, deadline),
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
  const mask = (text: string): string => redact(text, config.secrets);
  const chosen = senders(report, config, options.originUrl).filter((sender) => !options.channels || options.channels.includes(sender.channel));
  options.say(`share: ${chosen.map(({ channel, setting }) => (setting.on ? `${channel} on` : `${channel} off (${setting.reason})`)).join(', ')}`);
  const results = await Promise.all(chosen.map(async (sender): Promise<ChannelResult> => {
    if (!sender.setting.on) return { channel: sender.channel, status: 'off', detail: sender.setting.reason };
    if (options.dryRun) return { channel: sender.channel, status: 'dry-run', detail: 'would send; nothing sent', preview: mask(sender.preview()) };
    try {
      const outcome = await sender.send();
      if (typeof outcome === 'string') return { channel: sender.channel, status: 'sent', detail: mask(outcome) };
      return {
        channel: sender.channel,
        status: outcome.status,
        detail: mask(outcome.detail),
        ...(outcome.cards ? { cards: outcome.cards.map((card) => ({ ...card, did: mask(card.did) })) } : {}),
        ...(outcome.ref ? { ref: outcome.ref } : {}),
      };
    } catch (error) {
      return { channel: sender.channel, status: 'failed', detail: mask(reasonOf(error)) };
    }
  }));
  for (const result of results) {
    if (result.status !== 'off' && result.status !== 'dry-run') options.say(`share: ${result.channel} ${result.status}: ${result.detail}`);
  }
  return results;
}

/**
 * The channels a re-send goes to: those named, else all with --force, else those that did not
 * succeed last time (failed, partial, off, or never tried).
 */
export function channelsToResend(previous: readonly { channel: string; status: string }[] | undefined, named: readonly ChannelName[] | undefined, force: boolean): ChannelName[] {
  if (named && named.length > 0) return [...named];
  if (force) return [...CHANNELS];
  return CHANNELS.filter((channel) => (previous ?? []).find((result) => result.channel === channel)?.status !== 'sent');
}
