import type { SlackSettings } from '../config.js';
import { describeFailure, HttpError, sendRequest, type HttpLimits } from '../http.js';
import { clipText, remoteReason } from '../redact.js';
import type { ReleaseView } from './view.js';

/**
 * Block Kit limits (https://api.slack.com/reference/block-kit/blocks), and the text of the whole
 * message: Slack refuses much longer messages in practice (`msg_blocks_too_long`).
 */
export const SLACK_LIMITS = { blocks: 50, headerText: 150, sectionText: 3000, contextText: 3000, fallbackText: 3000, totalText: 12_000 } as const;

export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji: true } }
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
  | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] }
  | { type: 'divider' };

export interface SlackMessage {
  /** Shown in notifications and by clients that cannot show blocks. */
  text: string;
  blocks: SlackBlock[];
}

/**
 * Text shown as written: `&`, `<`, `>` escaped as Slack documents; `*`, `_`, `~` and `` ` `` have
 * no escape in mrkdwn, and a zero-width space before each keeps it from opening bold, italics,
 * strikethrough or code (a marker opens only at the start of the text or after a space or punctuation).
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/[*_~`]/g, '\u200B$&');
}

function link(url: string | null, label: string): string {
  return url ? `<${url}|${escapeMrkdwn(label)}>` : escapeMrkdwn(label);
}

const section = (text: string): SlackBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clipText(text, SLACK_LIMITS.sectionText) } });
const context = (text: string): SlackBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: clipText(text, SLACK_LIMITS.contextText) }] });

function textOf(block: SlackBlock): string {
  if (block.type === 'section' || block.type === 'header') return block.text.text;
  if (block.type === 'context') return block.elements.map((element) => element.text).join('');
  return '';
}

const totalText = (blocks: readonly SlackBlock[]): number => blocks.reduce((sum, block) => sum + textOf(block).length, 0);

/**
 * Header, summary, the not-ready warning, then the cards by group packed into sections, as many
 * as Block Kit's 50 blocks and the total text budget allow; it always ends with the link to the
 * full CHANGELOG section, saying how many cards did not fit.
 */
export function buildSlackMessage(view: ReleaseView): SlackMessage {
  const text = clipText(`${view.title}: ${view.cardCount} Jira cards, ${view.commitCount} commits`, SLACK_LIMITS.fallbackText);
  const range = view.compareUrl ? `<${view.compareUrl}|${view.range}>` : `\`${view.range}\``;
  const head: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clipText(view.title, SLACK_LIMITS.headerText), emoji: true } },
    section(`${range} · ${view.commitCount} commits · ${view.cardCount} Jira cards`),
  ];
  if (view.notReadyWarning) head.push(section(`:warning: *${escapeMrkdwn(view.notReadyWarning)}*`));
  if (view.jiraNote) head.push(context(escapeMrkdwn(view.jiraNote)));
  const without = view.withoutJira.length;
  const tail: SlackBlock[] = without > 0 ? [context(`${without} commit${without === 1 ? '' : 's'} without a Jira key`)] : [];
  const where = link(view.changelogUrl, view.changelogPlace);
  const closing = (hidden: number): SlackBlock => context(hidden > 0 ? `…and ${hidden} more cards: the full list is in ${where}` : `Full section: ${where}`);

  let budget = SLACK_LIMITS.totalText - text.length - totalText([...head, ...tail, closing(view.cardCount)]);
  let room = SLACK_LIMITS.blocks - head.length - tail.length - 1;
  const body: SlackBlock[] = [];
  let shown = 0;
  let full = false;
  for (const group of view.groups) {
    const heading = `*${escapeMrkdwn(group.title)}*`;
    let current: string | null = null;
    for (const card of group.cards) {
      const line = clipText(`• ${link(card.url, card.key)} ${escapeMrkdwn(card.details ?? card.commits[0]?.subject ?? '')}`, SLACK_LIMITS.sectionText - heading.length - 1);
      const startsSection = current === null || current.length + 1 + line.length > SLACK_LIMITS.sectionText;
      const cost = (startsSection ? heading.length : 0) + 1 + line.length;
      if (cost > budget || (startsSection && room === 0)) {
        full = true;
        break;
      }
      if (startsSection) {
        if (current !== null) body.push(section(current));
        current = heading;
        room -= 1;
      }
      current += `\n${line}`;
      budget -= cost;
      shown += 1;
    }
    if (current !== null) body.push(section(current));
    if (full) break;
  }
  return { text, blocks: [...head, ...body, ...tail, closing(view.cardCount - shown)] };
}

/**
 * An incoming webhook answers 200 "ok" (Web API methods: `{"ok": true}`); anything else, a 200
 * with another body included, is a failure with Slack's error code ("invalid_blocks").
 */
export async function sendSlackMessage(message: SlackMessage, settings: SlackSettings, limits: HttpLimits): Promise<string> {
  const response = await sendRequest({ method: 'POST', url: settings.webhookUrl, json: message }, limits);
  if (response.status !== 200) throw new HttpError(describeFailure(response), response.status);
  const body = response.json as { ok?: unknown; error?: unknown } | null;
  if (response.text.trim() !== 'ok' && body?.ok !== true) {
    throw new HttpError(`Slack did not post the message: ${remoteReason(typeof body?.error === 'string' ? body.error : response.text) || 'empty answer'}`, 200);
  }
  return `posted (${message.blocks.length} blocks)`;
}
