/**
 * Synthesizes the real app once per test run (into a temp directory, offline) and hands the suites
 * the stacks and their templates. Nothing is mocked: these are the templates `npm run synth` writes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../lib/app.js';
import type { HelloStack } from '../lib/hello-stack.js';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, any>;
}

export interface Synthesized {
  stack: HelloStack;
  template: Template;
  /** Logical id -> resource, from the template as CloudFormation will see it. */
  resources: Record<string, CfnResource>;
}

let cache: Map<string, Synthesized> | undefined;

export function synthesized(environment: 'staging' | 'production'): Synthesized {
  if (!cache) {
    const outdir = mkdtempSync(path.join(os.tmpdir(), 'hello-infra-test-'));
    process.on('exit', () => rmSync(outdir, { recursive: true, force: true }));
    const { stacks } = buildApp({ outdir });
    cache = new Map();
    for (const [name, stack] of stacks) {
      const template = Template.fromStack(stack);
      cache.set(name, { stack, template, resources: template.toJSON().Resources });
    }
  }
  return cache.get(environment)!;
}

export function resourcesOfType(resources: Record<string, CfnResource>, type: string): [string, CfnResource][] {
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

/** The one resource of a type; fails the test if there are none or several. */
export function onlyResource(resources: Record<string, CfnResource>, type: string): [string, CfnResource] {
  const found = resourcesOfType(resources, type);
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0]!;
}

/** The logical id behind `{ Ref: id }` or `{ 'Fn::GetAtt': [id, attr] }`. */
export function logicalIdOf(reference: unknown): string {
  const value = reference as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  const id = value.Ref ?? value['Fn::GetAtt']?.[0];
  if (!id) throw new Error(`not a reference to a resource: ${JSON.stringify(reference)}`);
  return id;
}
