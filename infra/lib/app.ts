import { App } from 'aws-cdk-lib';
import { environments } from './environments.js';
import { HelloStack } from './hello-stack.js';

export interface BuildOptions {
  /** Where the cloud assembly is written (cdk.out by default, a temp directory in tests). */
  readonly outdir?: string;
  readonly alarmEmail?: string;
}

/** The CDK app: one stack per environment, e.g. HelloStaging and HelloProduction. */
export function buildApp(options: BuildOptions = {}): { app: App; stacks: Map<string, HelloStack> } {
  const app = new App(options.outdir ? { outdir: options.outdir } : {});
  const stacks = new Map<string, HelloStack>();
  for (const environment of environments) {
    const id = `Hello${environment.name[0]!.toUpperCase()}${environment.name.slice(1)}`;
    stacks.set(environment.name, new HelloStack(app, id, {
      environment,
      description: `hello service (${environment.name}): ALB, ECS Fargate in two AZs, RDS PostgreSQL, alarms`,
      ...(options.alarmEmail ? { alarmEmail: options.alarmEmail } : {}),
    }));
  }
  return { app, stacks };
}
