import type { NotifyConfig } from '../config.js';
import type { RecordStore } from '../record/store.js';
import type { ChannelResult, ReleaseReport } from './report.js';

/** Shares the report; with a record store, each channel at most once (claimed in the release record first). */
export type ShareReport = (report: ReleaseReport, notify: NotifyConfig, options: ShareOptions) => Promise<ChannelResult[]>;

export interface ShareOptions {
  dryRun: boolean;
  say: (line: string) => void;
  originUrl: string | null;
  /** The release records (null in a dry run: the release does not exist yet). */
  store: RecordStore | null;
  claimTimeoutMs: number;
}
