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
/** What a release heading says: a version (`1.54.0`, `v2.3`, `Version 4.0.0`) or a date (our own tags have one). */
const RELEASE_TITLE = /(?:^|[^\w.])v?\d+\.\d+(?!\w)|\b\d{4}-\d{2}-\d{2}\b/i;
/** An anchor line old conventional-changelog writes above each release heading (as markdown-it gives a paragraph's text: trimmed). */
const ANCHOR_LINE = /^<a\s+(?:name|id)\s*=\s*["'][^"']*["']\s*>\s*<\/a>$/i;

/** How the file writes its release headings, so the new one looks like its neighbours. */
interface HeadingStyle {
  level: number;
  /** `Version 1.0\n-----` rather than `## Version 1.0`. */
  setext: boolean;
  /** `### Version 4.0.0 ###`. */
  closed: boolean;
}

/** Where the new section goes, and at what level and style. */
interface Placement {
  /** The line the section goes before (0-based; `END` means the end). */
  line: number;
  style: HeadingStyle;
  /** Keep a Changelog's `[Unreleased]`: the line where its notes end, which the rest of the section goes before. */
  notesEnd: number | null;
}

/** A line past the file's last: the end of the file. */
const END = Infinity;

const DEFAULT_STYLE: HeadingStyle = { level: 2, setext: false, closed: false };

interface HeadingCandidate {
  /** First line of the heading, or of the anchor line above it. */
  line: number;
  /** The line after the heading. */
  after: number;
  text: string;
  style: HeadingStyle;
}

/**
 * Top-level headings, each with the anchor line right above it when there is one. The anchor is a
 * paragraph of inline HTML: an open and a close tag on one line never start an HTML block.
 */
function headingsOf(tokens: Token[], lines: string[]): HeadingCandidate[] {
  const found: HeadingCandidate[] = [];
  tokens.forEach((token, index) => {
    if (token.type !== 'heading_open' || token.level !== 0) return;
    const [start, after] = token.map!;
    const anchored = tokens[index - 1]?.type === 'paragraph_close' && ANCHOR_LINE.test(tokens[index - 2]!.content) ? tokens[index - 3]!.map![0] : start;
    const setext = !/^ {0,3}#/.test(lines[start]!);
    const closed = !setext && /[ \t]#+[ \t]*$/.test(lines[start]!);
    found.push({ line: anchored, after, text: tokens[index + 1]!.content, style: { level: Number(token.tag.slice(1)), setext, closed } });
  });
  return found;
}

/**
 * Where the new section goes: directly above the newest release (the first heading that names a
 * version or a date, whatever its level, with its anchor line), at that heading's level and style;
 * for Keep a Changelog's `[Unreleased]`, right under it, its notes kept at the top of the new
 * release's section. With no release yet: before the first level-2 heading, or at the end.
 * Only a prefix is parsed when the heading lies early in the file, as it does in a changelog: lines
 * up to a complete top-level heading mean the same in a prefix as in the whole file (CommonMark
 * decides a line's block from the lines before it; only a setext underline looks back, and it is
 * part of the heading).
 */
function placementOf(text: string, parse: BlockParser): Placement {
  // Stryker disable next-line ArithmeticOperator: equivalent — a smaller first prefix only means parsing twice more often.
  const firstPrefix = 64 * 1024;
  // Rarely (a changelog's newest release is near its top) the first 64 KB do not tell: then the whole file.
  // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement: equivalent — parsing the whole file at once gives the same answer, only slower.
  if (text.length > firstPrefix) {
    // Whole lines only: a heading that ends on the prefix's last line is complete, and no line after it changes it.
    const found = placementIn(text.slice(0, text.lastIndexOf('\n', firstPrefix) + 1), false, parse);
    if (found) return found;
  }
  return placementIn(text, true, parse)!;
}

/** The placement `prefix` of the file tells, or null when only the whole file can. */
function placementIn(prefix: string, whole: boolean, parse: BlockParser): Placement | null {
  const headings = headingsOf(parse(prefix), prefix.split('\n'));
  const newest = headings.findIndex((heading) => KEEP_A_CHANGELOG_UNRELEASED.test(heading.text) || RELEASE_TITLE.test(heading.text));
  const heading = headings[newest];
  if (heading && KEEP_A_CHANGELOG_UNRELEASED.test(heading.text)) {
    const next = headings.slice(newest + 1).find((candidate) => candidate.style.level <= heading.style.level);
    return next || whole ? { line: heading.after, style: heading.style, notesEnd: next ? next.line : END } : null;
  }
  if (heading) return { line: heading.line, style: heading.style, notesEnd: null };
  return whole ? { line: headings.find((candidate) => candidate.style.level === 2)?.line ?? END, style: DEFAULT_STYLE, notesEnd: null } : null;
}

/**
 * The rendered section (its release heading `## `, subheadings `### `) at the level and in the
 * style of the file's releases: `# 3.9.6` files get `# ` and `## `, setext files an underlined
 * release heading, `### Version 4.0.0 ###` files closed headings one level down.
 */
function styledSection(section: string, style: HeadingStyle): string {
  const shift = style.level - 2;
  const lines = section.split('\n').map((line, index) => {
    const heading = /^(#{2,6}) (.*)/.exec(line);
    if (!heading) return line;
    const level = Math.min(6, heading[1]!.length + shift);
    if (index === 0 && style.setext) return `${heading[2]}\n${(level === 1 ? '=' : '-').repeat(Math.max(3, heading[2]!.length))}`;
    return `${'#'.repeat(level)} ${heading[2]}${style.closed ? ` ${'#'.repeat(level)}` : ''}`;
  });
  return lines.join('\n');
}

/** Lines of merge conflict markers (1-based), when the file has a conflict block committed by mistake. */
function conflictMarkerLines(text: string): number[] {
  const lines = text.split('\n');
  const opened = lines.some((line) => /^<{7}(?: |$)/.test(line));
  const closed = lines.some((line) => /^>{7}(?: |$)/.test(line));
  if (!opened || !closed) return [];
  return lines.flatMap((line, index) => (/^(?:<{7}|>{7}|\|{7})(?: |$)|^={7}$/.test(line) ? [index + 1] : []));
}

function countLines(text: string): number {
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines += 1;
  return lines;
}

/** Byte offset where line `line` starts, counting `\r\n`, `\r` and `\n` as Markdown does; the length at the end. */
function lineStartByte(bytes: Buffer, from: number, line: number): number {
  let at = from;
  for (let seen = 0; seen < line; at += 1) {
    // Stryker disable next-line EqualityOperator: equivalent — one byte further, the buffer's subarray ends at its end all the same.
    if (at >= bytes.length) return bytes.length;
    if (bytes[at] === 0x0a || (bytes[at] === 0x0d && bytes[at + 1] !== 0x0a)) seen += 1;
  }
  return at;
}

function isBlankLineAt(text: string, lineStart: number): boolean {
  const blank = /[ \t]*(?:\n|$)/y;
  blank.lastIndex = lineStart;
  return blank.test(text);
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
  refuseConflictMarkers(text, file);
  const placement = placementOf(text, await loadBlockParser());
  const styled = styledSection(body, placement.style);
  if (placement.notesEnd !== null && !isBlankText(text, placement.line, placement.notesEnd)) {
    // [Unreleased] notes stay the hand-written top of the release: the heading and summary above them, the lists below.
    const split = styled.search(/\n#/);
    if (split !== -1) {
      const withLists = insertAt(existing, format, text, placement.notesEnd, styled.slice(split + 1));
      return insertAt(withLists, format, text, placement.line, styled.slice(0, split).trimEnd());
    }
  }
  return insertAt(existing, format, text, placement.line, styled);
}

/** A CHANGELOG committed with conflict markers is not inserted into: the section would land inside the conflict. */
function refuseConflictMarkers(text: string, file: string): void {
  const conflicts = conflictMarkerLines(text);
  if (conflicts.length > 0) {
    throw refuse(file, `has merge conflict markers (lines ${conflicts.slice(0, 6).join(', ')}${conflicts.length > 6 ? ', …' : ''})`, `resolve the conflict in ${file} on the branch that has it (reviewed like any change), then re-run; nothing was changed`);
  }
}

function isBlankText(text: string, fromLine: number, toLine: number): boolean {
  return text.split('\n').slice(fromLine, toLine).every((line) => line.trim() === '');
}

/**
 * `bytes` with `body` inserted before line `line` of `text` (its decoded, LF form), set off by
 * blank lines; the bytes after `line` are the same in `bytes` and in the file `text` came from.
 */
function insertAt(bytes: Buffer, format: FileFormat, text: string, line: number, body: string): Buffer {
  let lineStart = 0;
  for (let seen = 0; seen < line && lineStart !== -1; seen += 1) lineStart = text.indexOf('\n', lineStart) + 1 || -1;
  const atEnd = lineStart === -1;
  const previousStart = atEnd ? text.lastIndexOf('\n', text.length - 2) + 1 : text.lastIndexOf('\n', lineStart - 2) + 1;
  const needsBreak = atEnd && !text.endsWith('\n');
  const blankBefore = line === 0 || (!needsBreak && isBlankLineAt(text, previousStart));
  const blankAfter = atEnd || isBlankLineAt(text, lineStart);
  const inserted = `${needsBreak ? '\n' : ''}${blankBefore ? '' : '\n'}${body}\n${blankAfter ? '' : '\n'}`;
  const offset = lineStartByte(bytes, format.bomLength, line);
  return Buffer.concat([bytes.subarray(0, offset), encode(inserted, format), bytes.subarray(offset)]);
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
  refuseConflictMarkers(text, file);
  const at = text.indexOf(sectionMarker);
  if (at === -1) return null;
  const markerLine = countLines(text.slice(0, at));
  const headings = (await loadBlockParser())(text).filter((token) => token.type === 'heading_open' && token.level === 0);
  // The section's own heading: the last one above the marker, or on its line.
  const own = headings.filter((token) => token.map![0] <= markerLine).at(-1);
  const level = own ? Number(own.tag.slice(1)) : 6;
  const next = headings.find((token) => token.map![0] > markerLine && Number(token.tag.slice(1)) <= level);
  return insertAt(existing, format, text, next ? next.map![0] : END, block.trimEnd());
}
