import { CfnParameter, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { Alarms } from './alarms.js';
import { Database } from './database.js';
import type { ServiceEnvironment } from './environments.js';
import { Network } from './network.js';
import { WebService } from './service.js';

export interface HelloStackProps extends StackProps {
  readonly environment: ServiceEnvironment;
  readonly alarmEmail?: string;
}

/** The ECR repository the delivery pipeline pushes the app's image to (created outside this app). */
const DEFAULT_IMAGE_REPOSITORY = 'release-toolkit/hello';

/**
 * One environment of the hello service. The image and the certificate are CloudFormation
 * parameters, not synth-time values: the template is built once, offline, and the deploy names
 * the exact image digest QA tested (a tag is refused by the parameter's pattern).
 */
export class HelloStack extends Stack {
  readonly network: Network;
  readonly database: Database;
  readonly web: WebService;
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: HelloStackProps) {
    // The account is left to the deploy; the region is fixed so the ALB log delivery and the AZs resolve without lookups.
    super(scope, id, { ...props, env: { region: props.environment.region } });
    const { environment } = props;

    const imageRepository = new CfnParameter(this, 'ImageRepository', {
      type: 'String',
      default: DEFAULT_IMAGE_REPOSITORY,
      description: 'ECR repository name of the app image',
    });
    const imageDigest = new CfnParameter(this, 'ImageDigest', {
      type: 'String',
      allowedPattern: '^sha256:[a-f0-9]{64}$',
      constraintDescription: 'the image digest (sha256:<64 hex>) that QA tested; tags are not accepted',
      description: 'Digest of the app image to run',
    });
    const certificateArn = new CfnParameter(this, 'CertificateArn', {
      type: 'String',
      allowedPattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$',
      description: 'ACM certificate for the HTTPS listener',
    });

    this.network = new Network(this, 'Network', { natGateways: environment.natGateways });
    this.database = new Database(this, 'Database', { vpc: this.network.vpc, settings: environment.database });
    this.web = new WebService(this, 'Web', {
      vpc: this.network.vpc,
      database: this.database,
      environment,
      image: { repositoryName: imageRepository.valueAsString, digest: imageDigest.valueAsString },
      certificateArn: certificateArn.valueAsString,
      logBucket: this.network.logBucket,
    });
    this.alarms = new Alarms(this, 'Alarms', {
      web: this.web,
      database: this.database,
      environment,
      ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}),
    });

    // A deploy whose tasks are healthy but answer 5xx or slowly is rolled back too, not only one that never gets ready.
    this.web.service.enableDeploymentAlarms(this.alarms.deploymentGuards.map((alarm) => alarm.alarmName), {
      behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM,
    });

    Tags.of(this).add('service', 'hello');
    Tags.of(this).add('environment', environment.name);
  }
}
