import { budgetSpentIn, budgetSpentText, channelDeadline, shareDeadline, type BudgetSpent, type Deadline } from '../budget.js';
import type { Channel, NotifyConfig } from '../config.js';
import { BudgetSpentError, type HttpLimits } from '../http.js';
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
type SendOutcome = string | { status: 'sent' | 'partial' | 'failed' | 'not-done'; detail: string; cards?: JiraCardOutcome[]; ref?: string; budget?: BudgetSpent };

export interface NotifyOptions {
  /** Only these channels (release:notify --channel); all configured ones by default. */
  channels?: readonly ChannelName[];
  dryRun: boolean;
  say: (line: string) => void;
  /** The origin remote's URL: the GitHub repository when GITHUB_REPOSITORY is not set. */
  originUrl: string | null;
  /** The whole share's end, when it started before (release:notify's Jira details, the record's claims); else it starts now. */
  deadline?: Deadline;
}

interface Sender {
  channel: ChannelName;
  setting: Channel<unknown>;
  /** The payload as it would go out, for --dry-run. */
  preview: () => string;
  /** Sends within `deadline` (the channel's budget, or the whole share's end when sooner). */
  send: (deadline: Deadline) => Promise<SendOutcome>;
}

function githubRepository(config: NotifyConfig, originUrl: string | null): string | null {
  if (!config.github.on) return null;
  if (config.github.settings.repository) return config.github.settings.repository;
  const web = repoWebOf(originUrl);
  return web && !web.host.includes('gitlab') && web.path.split('/').length === 2 ? web.path : null;
}

/** The jira channel: the release's version on every card, and the configured transition. */
async function releaseInJira(report: ReleaseReport, config: NotifyConfig, deadline: Deadline): Promise<SendOutcome> {
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
  const outOfTime = failedCards.filter((card) => budgetSpentIn(card.did));
  const projectsOutOfTime = Object.values(outcome.projects).filter((what) => budgetSpentIn(what));
  const failedProjects = Object.values(outcome.projects).some((what) => what.includes('failed') && !budgetSpentIn(what));
  const failedOtherwise = failedCards.filter((card) => !outOfTime.includes(card));
  const budget = [...outOfTime.map((card) => card.did), ...projectsOutOfTime].map(budgetSpentIn).find((spent) => spent !== null) ?? null;
  const projects = Object.entries(outcome.projects).map(([project, what]) => `${project} ${what}`).join(', ');
  const detail = `version "${outcome.version}" (${projects || 'no project'}) on ${outcome.cards.length - failedCards.length} of ${outcome.cards.length} cards`
    + (failedOtherwise.length > 0 ? `; failed: ${failedOtherwise.map((card) => card.key).join(', ')}` : '')
    + (budget ? `; ${outOfTime.length > 0 ? `${outOfTime.length} cards ` : ''}${budgetSpentText(budget)}` : '');
  const ref = Object.entries(outcome.versionIds).map(([project, id]) => `${project} ${id}`).join(', ');
  const status = failedOtherwise.length > 0 || failedProjects || outcome.problem ? 'failed' : budget ? 'not-done' : 'sent';
  return { status, detail: outcome.problem ? `${outcome.problem}; ${detail}` : detail, cards: outcome.cards, ...(ref ? { ref } : {}), ...(budget ? { budget } : {}) };
}

/** Email's one wait, bounded as the HTTP channels' requests are: a timeout the deadline shortened is the budget's. */
async function sendEmailWithin(view: ReleaseView, config: NotifyConfig, deadline: Deadline): Promise<SendOutcome> {
  if (!config.email.on) return 'off';
  const left = deadline.at - Date.now();
  if (left <= 0) throw new BudgetSpentError(deadline);
  try {
    const { detail, refused, messageId } = await sendEmail(buildEmail(view), config.email.settings, Math.min(config.timeoutMs, left));
    return { status: refused.length > 0 ? 'partial' : 'sent', detail, ...(messageId ? { ref: messageId } : {}) };
  } catch (error) {
    if (left < config.timeoutMs && ((error as Error).cause as { code?: string } | undefined)?.code === 'ETIMEDOUT') throw new BudgetSpentError(deadline, true);
    throw error;
  }
}

function senders(report: ReleaseReport, config: NotifyConfig, originUrl: string | null): Sender[] {
  const limits = (deadline: Deadline): HttpLimits => ({ timeoutMs: config.timeoutMs, maxRetryWaitMs: config.maxRetryWaitMs, proxy: config.proxy, deadline });
  const repository = githubRepository(config, originUrl);
  // Built on first use: with every channel off (most dry runs) a 10k-commit release spares the work.
  let built: ReleaseView | null = null;
  const view = (): ReleaseView => (built ??= releaseView(report));
  return [
    {
      channel: 'slack',
      setting: config.slack,
      preview: () => JSON.stringify(buildSlackMessage(view()), null, 2),
      send: async (deadline) => config.slack.on ? sendSlackMessage(buildSlackMessage(view()), config.slack.settings, limits(deadline)) : 'off',
    },
    {
      channel: 'email',
      setting: config.email,
      preview: () => {
        const message = buildEmail(view());
        const to = config.email.on ? config.email.settings.to.join(', ') : '';
        return `To: ${to}\nSubject: ${message.subject}\n\n${message.text}`;
      },
      send: (deadline) => sendEmailWithin(view(), config, deadline),
    },
    {
      channel: 'github',
      setting: config.github,
      preview: () => {
        const release = buildGithubRelease(view());
        return `POST /repos/${repository ?? '<owner>/<name>'}/releases  tag ${release.tag_name}, name ${release.name}\n\n${release.body}`;
      },
      send: async (deadline) => {
        if (!config.github.on) return 'off';
        if (!repository) throw new Error('no repository: set GITHUB_REPOSITORY=owner/name (the origin remote is not a GitHub URL)');
        return { status: 'sent', ...(await publishGithubRelease(buildGithubRelease(view()), config.github.settings, repository, limits(deadline))) };
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
      send: (deadline) => releaseInJira(report, config, deadline),
    },
  ];
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Sends the report to every configured channel (or only `channels`), all at once: one failing
 * channel does not keep the others from sending. Each channel stops at its own budget, or at the
 * whole share's end when that comes first; what a budget stopped is `not-done`, naming it.
 * Never throws; each result says what happened.
 */
export async function notifyRelease(report: ReleaseReport, config: NotifyConfig, options: NotifyOptions): Promise<ChannelResult[]> {
  const mask = (text: string): string => redact(text, config.secrets);
  const share = options.deadline ?? shareDeadline(config.budgets);
  const chosen = senders(report, config, options.originUrl).filter((sender) => !options.channels || options.channels.includes(sender.channel));
  options.say(`share: ${chosen.map(({ channel, setting }) => (setting.on ? `${channel} on` : `${channel} off (${setting.reason})`)).join(', ')}`);
  const results = await Promise.all(chosen.map(async (sender): Promise<ChannelResult> => {
    if (!sender.setting.on) return { channel: sender.channel, status: 'off', detail: sender.setting.reason };
    if (options.dryRun) return { channel: sender.channel, status: 'dry-run', detail: 'would send; nothing sent', preview: mask(sender.preview()) };
    try {
      const outcome = await sender.send(channelDeadline(share, config.budgets));
      if (typeof outcome === 'string') return { channel: sender.channel, status: 'sent', detail: mask(outcome) };
      return {
        channel: sender.channel,
        status: outcome.status,
        detail: mask(outcome.detail),
        ...(outcome.cards ? { cards: outcome.cards.map((card) => ({ ...card, did: mask(card.did) })) } : {}),
        ...(outcome.ref ? { ref: outcome.ref } : {}),
        ...(outcome.budget ? { budget: outcome.budget } : {}),
      };
    } catch (error) {
      if (error instanceof BudgetSpentError) return { channel: sender.channel, status: 'not-done', detail: error.message, budget: { setting: error.deadline.setting, ms: error.deadline.ms } };
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
