import type { SlackSettings } from '../config.js';
import { sendRequest, describeFailure, HttpError, type HttpLimits } from './http.js';
import type { ReleaseView } from './view.js';

/** Block Kit limits (https://api.slack.com/reference/block-kit/blocks). */
export const SLACK_LIMITS = { blocks: 50, headerText: 150, sectionText: 3000, contextText: 3000, fallbackText: 3000 } as const;

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

/** Slack's mrkdwn needs only these three escaped. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function link(url: string | null, label: string): string {
  return url ? `<${url}|${escapeMrkdwn(label)}>` : escapeMrkdwn(label);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const section = (text: string): SlackBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text, SLACK_LIMITS.sectionText) } });
const context = (text: string): SlackBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(text, SLACK_LIMITS.contextText) }] });

/** Lines packed into as few sections as the text limit allows; each block remembers its card count. */
function packSections(heading: string, lines: string[]): { block: SlackBlock; cards: number }[] {
  const packed: { block: SlackBlock; cards: number }[] = [];
  let text = heading;
  let cards = 0;
  for (const line of lines.map((entry) => clip(entry, SLACK_LIMITS.sectionText - heading.length - 1))) {
    if (text.length + 1 + line.length > SLACK_LIMITS.sectionText) {
      packed.push({ block: section(text), cards });
      text = heading;
      cards = 0;
    }
    text += `\n${line}`;
    cards += 1;
  }
  packed.push({ block: section(text), cards });
  return packed;
}

export function buildSlackMessage(view: ReleaseView): SlackMessage {
  const range = view.compareUrl ? `<${view.compareUrl}|${view.range}>` : `\`${view.range}\``;
  const head: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(view.title, SLACK_LIMITS.headerText), emoji: true } },
    section(`${range} · ${view.commitCount} commits · ${view.cardCount} Jira cards`),
  ];
  if (view.jiraNote) head.push(context(escapeMrkdwn(view.jiraNote)));
  const body: { block: SlackBlock; cards: number }[] = [];
  for (const group of view.groups) {
    const lines = group.cards.map((card) => `• ${link(card.url, card.key)}${card.details ? ` ${escapeMrkdwn(card.details)}` : ` ${escapeMrkdwn(card.commits[0]?.subject ?? '')}`}`);
    body.push(...packSections(`*${escapeMrkdwn(group.title)}*`, lines));
  }
  const without = view.withoutJira.length;
  const tail: SlackBlock[] = without > 0 ? [context(`${without} commit${without === 1 ? '' : 's'} without a Jira key`)] : [];

  const room = SLACK_LIMITS.blocks - head.length - tail.length;
  let shown = body;
  const truncation: SlackBlock[] = [];
  if (body.length > room) {
    shown = body.slice(0, room - 1);
    const hidden = body.slice(room - 1).reduce((sum, entry) => sum + entry.cards, 0);
    const where = view.changelogUrl ? `<${view.changelogUrl}|${escapeMrkdwn(view.changelogPlace)}>` : escapeMrkdwn(view.changelogPlace);
    truncation.push(context(`…and ${hidden} more cards: the full list is in ${where}`));
  }
  const text = clip(`${view.title}: ${view.cardCount} Jira cards, ${view.commitCount} commits`, SLACK_LIMITS.fallbackText);
  return { text, blocks: [...head, ...shown.map((entry) => entry.block), ...truncation, ...tail] };
}

/** An incoming webhook answers 200 "ok", or an error code as text ("invalid_payload", "no_service"). */
export async function sendSlackMessage(message: SlackMessage, settings: SlackSettings, limits: HttpLimits): Promise<string> {
  const response = await sendRequest({ method: 'POST', url: settings.webhookUrl, json: message }, limits);
  if (response.status !== 200) throw new HttpError(describeFailure(response), response.status);
  return `posted (${message.blocks.length} blocks)`;
}
