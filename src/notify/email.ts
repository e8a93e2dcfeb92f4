import type { EmailSettings } from '../config.js';
import { tlsFailure } from '../http.js';
import { remoteReason } from '../redact.js';
import { shortSha } from '../release/cards.js';
import type { ReleaseView } from './view.js';

export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function cardLine(card: ReleaseView['groups'][number]['cards'][number]): string {
  return `${card.key}${card.details ? ` ${card.details}` : ''}${card.assignee ? ` — ${card.assignee}` : ''}`;
}

function plainText(view: ReleaseView): string {
  const lines = [view.title, '', `Range: ${view.range}${view.compareUrl ? ` ${view.compareUrl}` : ''}`, `${view.commitCount} commits, ${view.cardCount} Jira cards, ${view.withoutJira.length} commits without a key`];
  if (view.notReadyWarning) lines.splice(1, 0, '', `WARNING: ${view.notReadyWarning}`);
  if (view.jiraNote) lines.push('', view.jiraNote);
  for (const group of view.groups) {
    lines.push('', `${group.title}:`);
    for (const card of group.cards) {
      lines.push(`  ${cardLine(card)}${card.url ? `  ${card.url}` : ''}`);
      for (const commit of card.commits) lines.push(`    ${shortSha(commit.sha)} ${commit.subject}`);
    }
  }
  if (view.withoutJira.length > 0) {
    lines.push('', 'Commits without a Jira key:');
    for (const commit of view.withoutJira) lines.push(`    ${shortSha(commit.sha)} ${commit.subject}`);
  }
  lines.push('', `Full section: ${view.changelogUrl ?? view.changelogPlace}`);
  return `${lines.join('\n')}\n`;
}

function anchor(url: string | null, label: string): string {
  return url ? `<a href="${escapeHtml(url)}">${escapeHtml(label)}</a>` : escapeHtml(label);
}

function commitList(commits: readonly { sha: string; subject: string }[]): string {
  return `<ul>${commits.map((commit) => `<li>${escapeHtml(commit.subject)} <code>${shortSha(commit.sha)}</code></li>`).join('')}</ul>`;
}

function html(view: ReleaseView): string {
  const parts = [
    `<h2>${escapeHtml(view.title)}</h2>`,
    `<p>${anchor(view.compareUrl, view.range)} · ${view.commitCount} commits · ${view.cardCount} Jira cards · ${view.withoutJira.length} commits without a key</p>`,
  ];
  if (view.notReadyWarning) parts.splice(1, 0, `<p><strong>⚠ ${escapeHtml(view.notReadyWarning)}</strong></p>`);
  if (view.jiraNote) parts.push(`<p><em>${escapeHtml(view.jiraNote)}</em></p>`);
  for (const group of view.groups) {
    parts.push(`<h3>${escapeHtml(group.title)}</h3>`, '<ul>');
    for (const card of group.cards) {
      const rest = cardLine(card).slice(card.key.length);
      parts.push(`<li>${anchor(card.url, card.key)}${escapeHtml(rest)}${commitList(card.commits)}</li>`);
    }
    parts.push('</ul>');
  }
  if (view.withoutJira.length > 0) parts.push('<h3>Commits without a Jira key</h3>', commitList(view.withoutJira));
  parts.push(`<p>Full section: ${anchor(view.changelogUrl, view.changelogPlace)}</p>`);
  return `<!doctype html>\n<html><body>\n${parts.join('\n')}\n</body></html>\n`;
}

export function buildEmail(view: ReleaseView): EmailMessage {
  return { subject: `${view.title}: ${view.cardCount} Jira cards, ${view.commitCount} commits`, text: plainText(view), html: html(view) };
}

/** What the SMTP server made of the message: `refused` names the recipients it would not take. */
export interface EmailOutcome {
  detail: string;
  refused: string[];
  /** The Message-ID the message was sent with. */
  messageId: string | null;
}

/** The recipient a refusal names, and why, in a few words: `po@acme.test (550 No such user)`. */
function refusal(address: string, error: { response?: string } | undefined): string {
  return error?.response ? `${address} (${remoteReason(error.response)})` : address;
}

/**
 * Sends over SMTP. smtp:// must upgrade with STARTTLS before the login (nodemailer's requireTLS)
 * unless the settings trust a local relay; smtps:// is TLS from the start. A server that
 * refuses some recipients still delivers to the others: the outcome names the refused ones.
 */
export async function sendEmail(message: EmailMessage, settings: EmailSettings, timeoutMs: number): Promise<EmailOutcome> {
  // Loaded only when an email goes out: nodemailer is the heaviest import of the cut.
  const { default: nodemailer } = await import('nodemailer');
  // Options from the URL itself: nodemailer lets a URL's query override requireTLS.
  const url = new URL(settings.smtpUrl);
  const secure = url.protocol === 'smtps:';
  const transport = nodemailer.createTransport({
    host: url.hostname.replace(/^\[|\]$/g, ''),
    ...(url.port ? { port: Number(url.port) } : {}),
    secure,
    requireTLS: !secure && settings.requireStartTls,
    ...(url.username || url.password ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    const info = await transport.sendMail({ from: settings.from, to: settings.to, subject: message.subject, text: message.text, html: message.html });
    const rejectedErrors = (info as { rejectedErrors?: { recipient?: string; response?: string }[] }).rejectedErrors ?? [];
    const refused = info.rejected.map((address) => refusal(String(address), rejectedErrors.find((error) => error.recipient === String(address))));
    const accepted = info.accepted.length;
    return {
      detail: `sent to ${accepted} recipient${accepted === 1 ? '' : 's'}${refused.length > 0 ? `; refused: ${refused.join(', ')}` : ''}`,
      refused,
      messageId: info.messageId ?? null,
    };
  } catch (error) {
    const failure = error as Error & { code?: string; originalCode?: string; response?: string; rejected?: string[]; rejectedErrors?: { recipient?: string; response?: string }[] };
    if (failure.code === 'EENVELOPE' && failure.rejected && failure.rejected.length > 0) {
      const refused = failure.rejected.map((address) => refusal(address, failure.rejectedErrors?.find((rejected) => rejected.recipient === address)));
      throw new Error(`every recipient was refused: ${refused.join(', ')}`, { cause: error });
    }
    if (failure.code === 'ETLS' || /STARTTLS/i.test(failure.message)) {
      throw new Error(`the SMTP server did not offer STARTTLS, so nothing was sent and the password stayed unsent (for a trusted local relay only: SMTP_REQUIRE_STARTTLS=false)`, { cause: error });
    }
    // nodemailer keeps a socket error's own code (a TLS verification code) as originalCode.
    throw new Error(tlsFailure(failure.originalCode ?? failure.code) ?? remoteReason(failure.response ?? failure.message), { cause: error });
  } finally {
    transport.close();
  }
}
