import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { PolicyValidationPluginReport } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { synthesized } from './synth.js';

/** One line per finding cdk-nag did not see acknowledged (with a reason) in the code. */
function findings(scope: IConstruct): string[] {
  const report: PolicyValidationPluginReport = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.map((violation) =>
    `${violation.severity} ${violation.ruleName} at ${violation.violatingResources.map((resource) => resource.constructPath ?? resource.resourceLogicalId).join(', ')}: ${violation.description}`);
}

test('the checks are live: a bucket without SSL enforcement or access logs is reported', () => {
  const stack = new Stack(undefined, 'NagProbe');
  new s3.Bucket(stack, 'Careless');
  const found = findings(stack).join('\n');
  assert.match(found, /AwsSolutions-S1/);
  assert.match(found, /AwsSolutions-S10/);
});

for (const environment of ['staging', 'production'] as const) {
  test(`${environment}: no AWS Solutions finding is left unfixed or unacknowledged`, () => {
    assert.equal(findings(synthesized(environment).stack), []);
  });
}

test.run();
