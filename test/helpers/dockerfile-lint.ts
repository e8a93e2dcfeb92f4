/**
 * The Dockerfile checks: dockerfile-utils' validator (the VS Code Docker language server's) for
 * syntax and semantics, plus the hadolint rules that apply to a Node image, by hadolint's codes.
 * hadolint itself is a Haskell binary that no registry reachable here ships.
 */
import { DockerfileParser, type Instruction, type JSONInstruction } from 'dockerfile-ast';
import { validate, ValidationSeverity } from 'dockerfile-utils';

export interface Finding {
  code: string;
  line: number;
  message: string;
}

const everyProblemIsAnError = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

type Rule = (instruction: Instruction, stageNames: ReadonlySet<string>) => string | null;

const runText = (instruction: Instruction): string => (instruction.getKeyword() === 'RUN' ? instruction.getRawArgumentsContent() ?? '' : '');

const rules: Record<string, Rule> = {
  DL3003: (i) => (/(^|&&|;)\s*cd\s/.test(runText(i)) ? 'use WORKDIR to switch to a directory' : null),
  DL3004: (i) => (/(^|&&|;|\s)sudo\s/.test(runText(i)) ? 'do not use sudo: it has unpredictable behaviour in a container' : null),
  DL3006: (i, stageNames) => {
    if (i.getKeyword() !== 'FROM') return null;
    const from = i as unknown as { getImageName(): string | null; getImageTag(): string | null; getImageDigest(): string | null };
    const name = from.getImageName() ?? '';
    return stageNames.has(name) || name === 'scratch' || from.getImageTag() || from.getImageDigest() ? null : 'always tag the version of an image explicitly';
  },
  DL3007: (i) => (i.getKeyword() === 'FROM' && (i as unknown as { getImageTag(): string | null }).getImageTag() === 'latest' ? 'using latest is prone to errors: pin the version' : null),
  DL3015: (i) => (/apt-get\s+install/.test(runText(i)) && !runText(i).includes('--no-install-recommends') ? 'avoid additional packages: apt-get install --no-install-recommends' : null),
  DL3009: (i) => (/apt-get\s+install/.test(runText(i)) && !runText(i).includes('/var/lib/apt/lists') ? 'delete the apt-get lists after installing' : null),
  DL3020: (i) => (i.getKeyword() === 'ADD' ? 'use COPY instead of ADD for files and folders' : null),
  DL3025: (i) => (['CMD', 'ENTRYPOINT'].includes(i.getKeyword()) && (i as JSONInstruction).getJSONStrings().length === 0 ? 'use arguments JSON notation for CMD and ENTRYPOINT' : null),
  DL4006: (i) => (/[^|]\|[^|]/.test(runText(i)) && !/pipefail/.test(runText(i)) ? 'set -o pipefail (SHELL) before RUN with a pipe' : null),
  // Not hadolint's: the classic builder (docker-compose v1) rejects BuildKit-only flags.
  CLASSIC: (i) => (i.getKeyword() === 'RUN' && (i as JSONInstruction).getFlags().some((flag) => flag.getName() === 'mount') ? 'RUN --mount needs BuildKit; the classic builder cannot build it' : null),
};

/** Findings sorted by line; DL3002 here also requires the final stage to set a USER at all. */
export function lintDockerfile(content: string): Finding[] {
  const findings: Finding[] = validate(content, everyProblemIsAnError).map((diagnostic) => ({
    code: `DU${String(diagnostic.code ?? '')}`,
    line: diagnostic.range.start.line + 1,
    message: typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value,
  }));
  const dockerfile = DockerfileParser.parse(content);
  const froms = dockerfile.getFROMs();
  const stageNames = new Set<string>();
  const lastFrom = froms.at(-1);
  let inFinalStage = false;
  let lastUser: { name: string; line: number } | null = null;
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') inFinalStage = instruction === (lastFrom as unknown as Instruction);
    for (const [code, rule] of Object.entries(rules)) {
      const message = rule(instruction, stageNames);
      if (message) findings.push({ code, line: instruction.getRange().start.line + 1, message });
    }
    if (instruction.getKeyword() === 'FROM') {
      const stage = (instruction as unknown as { getBuildStage(): string | null }).getBuildStage();
      if (stage) stageNames.add(stage);
    }
    if (inFinalStage && instruction.getKeyword() === 'USER') {
      lastUser = { name: instruction.getArgumentsContent()?.split(':')[0] ?? '', line: instruction.getRange().start.line + 1 };
    }
  }
  if (lastFrom && (!lastUser || ['root', '0'].includes(lastUser.name))) {
    findings.push({ code: 'DL3002', line: lastUser?.line ?? lastFrom.getRange().start.line + 1, message: 'the final stage must switch to a non-root USER' });
  }
  return findings.sort((a, b) => a.line - b.line);
}
