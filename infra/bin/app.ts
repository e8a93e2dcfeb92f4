/**
 * Synthesizes the CloudFormation templates into cdk.out/ without an AWS account or network:
 *   npm run synth                      (alarm e-mail from ALARM_EMAIL, optional)
 * The cdk CLI can deploy the result: npx cdk deploy --app cdk.out HelloProduction --parameters ...
 */
import { buildApp } from '../lib/app.js';

const alarmEmail = process.env.ALARM_EMAIL?.trim();
const { app } = buildApp({ outdir: 'cdk.out', ...(alarmEmail ? { alarmEmail } : {}) });
const assembly = app.synth();
for (const stack of assembly.stacks) {
  console.log(`${stack.stackName}: ${stack.templateFullPath}`);
}
