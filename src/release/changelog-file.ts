import { isUtf8 } from 'node:buffer';
import { UserError } from '../errors.js';

/**
 * Inserting a release section into a team's CHANGELOG.md: every existing byte stays as it was,
 * in place and in order; only the new lines are added, in the file's own line endings and
 * encoding. Where they go is decided by a Markdown parser, so a `## ` line in a code fence or an
 * HTML block is not a heading, and setext titles are.
 */

export const CHANGELOG_TITLE = '# Changelog';
const CHANGELOG_INTRO = 'Release sections are added at the top by `npm run release:cut`; each lists the Jira cards it ships.';

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const LFS_POINTER = 'version https://git-lfs.github.com/spec/';

interface FileFormat {
  /** Bytes before the text (a UTF-8 BOM), left as they are. */
  bomLength: number;
  charset: 'utf8' | 'latin1';
  eol: string;
}

function refuse(file: string, problem: string, hint: string): UserError {
  return new UserError(`${file} ${problem}`, { hint });
}

/** How the file is written: UTF-8 (with or without BOM) or, when its bytes are not UTF-8, Latin-1; its first line ending. */
function formatOf(bytes: Buffer, file: string): FileFormat {
  if (bytes.subarray(0, LFS_POINTER.length).toString('latin1') === LFS_POINTER) {
    throw refuse(file, 'is a Git LFS pointer, not the changelog itself', `store it in git itself (git lfs untrack ${file}; git add --renormalize ${file}), then re-run`);
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw refuse(file, 'is UTF-16, which the cut does not write', `convert it to UTF-8 (e.g. iconv -f UTF-16 -t UTF-8), commit it, then re-run`);
  }
  const bomLength = bytes.subarray(0, 3).equals(UTF8_BOM) ? 3 : 0;
  const charset = isUtf8(bytes) ? 'utf8' : 'latin1';
  const firstBreak = bytes.findIndex((byte) => byte === 0x0a || byte === 0x0d);
  const eol = firstBreak === -1 || bytes[firstBreak] === 0x0a ? '\n' : bytes[firstBreak + 1] === 0x0a ? '\r\n' : '\r';
  return { bomLength, charset, eol };
}

/** `text` (LF line breaks) in the file's encoding and line endings; characters Latin-1 lacks become character references. */
function encode(text: string, format: FileFormat): Buffer {
  const lines = text.split('\n').join(format.eol);
  if (format.charset === 'utf8') return Buffer.from(lines, 'utf8');
  return Buffer.from(lines.replace(/[^\u0000-\u00ff]/gu, (char) => `&#x${char.codePointAt(0)!.toString(16).toUpperCase()};`), 'latin1');
}

type Token = { type: string; tag: string; level: number; map: [number, number] | null; content: string };
type BlockParser = (markdown: string) => Token[];

/** markdown-it's block pass only (no inline pass): the heading structure is all that is needed, and a 10 MB file parses in well under a second. */
async function loadBlockParser(): Promise<BlockParser> {
  const { default: MarkdownIt } = await import('markdown-it');
  const md = new MarkdownIt({ html: true });
  return (markdown) => {
    const tokens: Token[] = [];
    md.block.parse(markdown, md, {}, tokens as never);
    return tokens;
  };
}

const KEEP_A_CHANGELOG_UNRELEASED = /^\[?\s*unreleased\s*\]?(?:\(.*\)|\[.*\])?$/i;

/**
 * The line the new section goes before (0-based; the line count means the end): before the first
 * top-level level-2 heading, or, for Keep a Changelog's `## [Unreleased]`, right under it, so that
 * its notes end up in the new release's section and the heading stays, empty, on top.
 * Only a prefix is parsed when the heading lies early in the file, as it does in a changelog: lines
 * up to a complete top-level heading mean the same in a prefix as in the whole file (CommonMark
 * decides a line's block from the lines before it; only a setext underline looks back, and it is
 * part of the heading).
 */
function insertionLine(text: string, parse: BlockParser): number {
  // The first 64 KB, then (rarely: a changelog's newest release is near its top) the whole file.
  for (let size = 64 * 1024; ; size = text.length) {
    const whole = size >= text.length;
    const end = whole ? text.length : text.lastIndexOf('\n', size) + 1;
    if (end === 0) continue;
    const prefix = text.slice(0, end);
    const prefixLines = whole ? Infinity : countLines(prefix);
    const tokens = parse(prefix);
    const index = tokens.findIndex((token) => token.type === 'heading_open' && token.tag === 'h2' && token.level === 0 && token.map !== null && token.map[1] < prefixLines);
    if (index !== -1) {
      const [start, after] = tokens[index]!.map!;
      return KEEP_A_CHANGELOG_UNRELEASED.test(tokens[index + 1]!.content.trim()) ? after : start;
    }
    if (whole) return countLines(text) + (text.length > 0 && !text.endsWith('\n') ? 1 : 0);
  }
}

function countLines(text: string): number {
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines += 1;
  return lines;
}

/** Byte offset where line `line` starts, counting `\r\n`, `\r` and `\n` as Markdown does; the length at the end. */
function lineStartByte(bytes: Buffer, from: number, line: number): number {
  let at = from;
  for (let seen = 0; seen < line && at < bytes.length; at += 1) {
    if (bytes[at] === 0x0a || (bytes[at] === 0x0d && bytes[at + 1] !== 0x0a)) seen += 1;
  }
  return at;
}

function isBlankLineAt(text: string, lineStart: number): boolean {
  const lineEnd = text.indexOf('\n', lineStart);
  return /^[ \t]*$/.test(text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd));
}

/**
 * CHANGELOG.md with `section` (Markdown, LF) inserted; `existing` itself when it already holds the
 * section for `headSha` (the marker is searched as bytes). A missing or empty file is created.
 */
export async function insertChangelogSection(existing: Buffer | null, section: string, marker: string, file = 'CHANGELOG.md'): Promise<Buffer> {
  const body = section.trimEnd();
  if (existing === null || existing.length === 0) return Buffer.from(`${CHANGELOG_TITLE}\n\n${CHANGELOG_INTRO}\n\n${body}\n`, 'utf8');
  const format = formatOf(existing, file);
  if (existing.includes(marker, format.bomLength, 'latin1')) return existing;
  const text = existing.subarray(format.bomLength).toString(format.charset).replace(/\r\n?/g, '\n');
  const line = insertionLine(text, await loadBlockParser());
  return insertAtLine(existing, format, text, line, body);
}

/** `body` inserted at line `line` of `text` (the decoded `existing`), with a blank line on each side; every other byte kept. */
function insertAtLine(existing: Buffer, format: FileFormat, text: string, line: number, body: string): Buffer {
  let lineStart = 0;
  for (let seen = 0; seen < line && lineStart !== -1; seen += 1) lineStart = text.indexOf('\n', lineStart) + 1 || -1;
  const atEnd = lineStart === -1 || lineStart >= text.length;
  const previousStart = atEnd ? text.lastIndexOf('\n', text.length - 2) + 1 : text.lastIndexOf('\n', lineStart - 2) + 1;
  const needsBreak = atEnd && !text.endsWith('\n');
  const blankBefore = line === 0 || (!needsBreak && isBlankLineAt(text, previousStart));
  const blankAfter = atEnd || isBlankLineAt(text, lineStart);
  const inserted = `${needsBreak ? '\n' : ''}${blankBefore ? '' : '\n'}${body}\n${blankAfter ? '' : '\n'}`;
  const offset = lineStartByte(existing, format.bomLength, line);
  return Buffer.concat([existing.subarray(0, offset), encode(inserted, format), existing.subarray(offset)]);
}

/**
 * `block` (Markdown, LF) added at the end of the release section that holds `sectionMarker`: before
 * the next top-level heading of that section's level or higher, else at the end of the file. Null
 * when no section holds the marker; `existing` itself when it already holds `marker` (a re-run).
 */
export async function appendToSection(existing: Buffer, sectionMarker: string, block: string, marker: string, file = 'CHANGELOG.md'): Promise<Buffer | null> {
  const format = formatOf(existing, file);
  if (existing.includes(marker, format.bomLength, 'latin1')) return existing;
  const text = existing.subarray(format.bomLength).toString(format.charset).replace(/\r\n?/g, '\n');
  const at = text.indexOf(sectionMarker);
  if (at === -1) return null;
  const markerLine = countLines(text.slice(0, at));
  const headings = (await loadBlockParser())(text).filter((token) => token.type === 'heading_open' && token.level === 0 && token.map !== null);
  const own = headings.filter((token) => token.map![0] < markerLine).at(-1);
  const level = own ? Number(own.tag.slice(1)) : 6;
  const next = headings.find((token) => token.map![0] > markerLine && Number(token.tag.slice(1)) <= level);
  const line = next ? next.map![0] : countLines(text) + (text.length > 0 && !text.endsWith('\n') ? 1 : 0);
  return insertAtLine(existing, format, text, line, block.trimEnd());
}
