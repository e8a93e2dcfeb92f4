import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { PROJECT_ROOT } from './hooks.js';

export { PROJECT_ROOT };

/** A name no other test run uses, for images, containers and compose projects. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export async function docker(args: string[], env: Record<string, string> = {}): Promise<string> {
  const result = await execa('docker', args, { env, all: true, reject: false });
  if (result.exitCode !== 0) throw new Error(`docker ${args.join(' ')} failed (${result.exitCode}):\n${result.all}`);
  return result.stdout.trim();
}

/** `docker-compose` (v1, what this machine has) or `docker compose` (v2), whichever is installed. */
async function composeCommand(): Promise<string[]> {
  const v1 = await execa('docker-compose', ['version'], { reject: false });
  return v1.exitCode === 0 ? ['docker-compose'] : ['docker', 'compose'];
}

export interface ComposeProject {
  name: string;
  run(args: string[]): Promise<string>;
  /** The container id of a service, or null when it has none. */
  containerOf(service: string): Promise<string | null>;
}

export async function composeProject(name: string, env: Record<string, string>): Promise<ComposeProject> {
  const [command, ...prefix] = await composeCommand();
  const run = async (args: string[]): Promise<string> => {
    const full = [...prefix, '--project-name', name, '--project-directory', PROJECT_ROOT, '--file', `${PROJECT_ROOT}/docker-compose.yml`, ...args];
    const result = await execa(command!, full, { cwd: PROJECT_ROOT, env, all: true, reject: false });
    if (result.exitCode !== 0) throw new Error(`${command} ${full.join(' ')} failed (${result.exitCode}):\n${result.all}`);
    return result.stdout.trim();
  };
  return {
    name,
    run,
    containerOf: async (service) => (await run(['ps', '--quiet', service])) || null,
  };
}

/** Makes sure `image` is here (pulling it if needed), or fails with one line saying what to do. */
export async function ensureImage(image: string): Promise<void> {
  const present = await execa('docker', ['image', 'inspect', image], { reject: false });
  if (present.exitCode === 0) return;
  const pulled = await execa('docker', ['pull', '--quiet', image], { reject: false, all: true });
  if (pulled.exitCode !== 0) {
    throw new Error(`${image} is not here and cannot be pulled (${pulled.all.split('\n').at(-1)}): without a registry, build the local stand-ins (docker-offline's base-images.sh) and set POSTGRES_VERSION to theirs`);
  }
}

export async function inspect(container: string, format: string): Promise<string> {
  return docker(['inspect', '--format', format, container]);
}

/** Polls until the container's HEALTHCHECK reports healthy; fails fast when it turns unhealthy. */
export async function waitHealthy(container: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await inspect(container, '{{.State.Health.Status}}');
    if (status === 'healthy') return;
    if (status === 'unhealthy' || Date.now() > deadline) {
      throw new Error(`container ${container} is ${status}:\n${await docker(['logs', '--tail', '30', container]).catch(String)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function getText(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
}
