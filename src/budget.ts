/**
 * The time budgets of sharing: each channel's (NOTIFY_CHANNEL_BUDGET_MS) inside the whole
 * share's (NOTIFY_BUDGET_MS). A deadline knows which budget it is, so that whatever it stops says
 * which setting to raise, and release:notify can tell what was left undone from what failed.
 */

/** The setting each budget is read from, as the reports name it. */
export type BudgetSetting = 'NOTIFY_BUDGET_MS' | 'NOTIFY_CHANNEL_BUDGET_MS';

export interface ShareBudgets {
  /** The whole share: the Jira details looked up for it, if any, and every channel. */
  shareMs: number;
  /** Each channel from its start; the whole share's end stops it first when that comes sooner. */
  channelMs: number;
}

/** An epoch time in ms after which no request starts, waits or goes on, and the budget it ends. */
export interface Deadline {
  at: number;
  setting: BudgetSetting;
  ms: number;
}

/** What a channel left undone, and because of which budget. */
export interface BudgetSpent {
  setting: BudgetSetting;
  ms: number;
}

export function shareDeadline(budgets: ShareBudgets, now: number = Date.now()): Deadline {
  return { at: now + budgets.shareMs, setting: 'NOTIFY_BUDGET_MS', ms: budgets.shareMs };
}

/** A channel's deadline: its own budget from `now`, or the whole share's end when that comes first. */
export function channelDeadline(share: Deadline, budgets: ShareBudgets, now: number = Date.now()): Deadline {
  const own = now + budgets.channelMs;
  return own < share.at ? { at: own, setting: 'NOTIFY_CHANNEL_BUDGET_MS', ms: budgets.channelMs } : share;
}

/** "not done: the channel's time budget ran out (NOTIFY_CHANNEL_BUDGET_MS=300)": the words every undone step carries. */
export function budgetSpentText(spent: BudgetSpent): string {
  return `not done: ${spent.setting === 'NOTIFY_BUDGET_MS' ? "the whole share's" : "the channel's"} time budget ran out (${spent.setting}=${spent.ms})`;
}

/** The budget a text written by budgetSpentText names (a card's outcome, a channel's reason); null when none. */
export function budgetSpentIn(text: string): BudgetSpent | null {
  const match = /not done: (?:the whole share's|the channel's) time budget ran out \((NOTIFY_BUDGET_MS|NOTIFY_CHANNEL_BUDGET_MS)=(\d+)\)/.exec(text);
  return match ? { setting: match[1] as BudgetSetting, ms: Number(match[2]) } : null;
}
