import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A file of the repository around infra/, read from the compiled test (infra/dist/test/). */
export const repositoryFile = (relativePath: string): string => readFileSync(fileURLToPath(new URL(`../../../${relativePath}`, import.meta.url)), 'utf8');
