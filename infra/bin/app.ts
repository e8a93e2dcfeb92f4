/**
 * Synthesizes the CloudFormation templates into cdk.out/ without an AWS account or network:
 *   npx cdk synth   or   npm run synth   (alarm e-mail from ALARM_EMAIL, optional)
 * Under the cdk CLI (cdk.json) the output directory is the CLI's (CDK_OUTDIR); alone, cdk.out.
 * The cdk CLI can deploy the result: npx cdk deploy --app cdk.out HelloProduction --parameters ...
 */
import { buildApp } from '../lib/app.js';

const alarmEmail = process.env.ALARM_EMAIL?.trim();
const { app } = buildApp({ outdir: process.env.CDK_OUTDIR ?? 'cdk.out', ...(alarmEmail ? { alarmEmail } : {}) });
const assembly = app.synth();
for (const stack of assembly.stacks) {
  console.log(`${stack.stackName}: ${stack.templateFullPath}`);
}
