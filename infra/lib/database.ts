import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ServiceEnvironment } from './environments.js';

export interface DatabaseProps {
  readonly vpc: ec2.IVpc;
  readonly settings: ServiceEnvironment['database'];
}

export const POSTGRES_PORT = 5432;
/** One major everywhere: RDS here, compose's default image, and the tests' embedded server (checked by a test). */
export const POSTGRES_MAJOR_VERSION = rds.PostgresEngineVersion.VER_17;

/** Characters a generated password must not contain: it is put into a postgres:// URL unescaped. */
const URL_UNSAFE = ` !"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~`;

/**
 * PostgreSQL on RDS in the isolated subnets, reachable only through its security group, with the
 * master credentials generated into Secrets Manager (never in the template or the task definition).
 */
export class Database extends Construct {
  readonly instance: rds.DatabaseInstance;
  readonly secret: secretsmanager.ISecret;
  readonly databaseName = 'hello';

  constructor(scope: Construct, id: string, { vpc, settings }: DatabaseProps) {
    super(scope, id);

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'hello database: 5432 from the app tasks only; no outbound',
      allowAllOutbound: false,
    });
    this.instance = new rds.DatabaseInstance(this, 'Postgres', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: POSTGRES_MAJOR_VERSION }),
      // The CA the app verifies the server against (rds-ca.ts picks its region's roots from the same family).
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      instanceType: new ec2.InstanceType(settings.instanceType),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      publiclyAccessible: false,
      securityGroups: [securityGroup],
      port: POSTGRES_PORT,
      multiAz: settings.multiAz,
      databaseName: this.databaseName,
      credentials: rds.Credentials.fromGeneratedSecret('hello', { excludeCharacters: URL_UNSAFE }),
      allocatedStorage: settings.allocatedStorageGiB,
      maxAllocatedStorage: settings.maxAllocatedStorageGiB,
      storageType: rds.StorageType.GP3,
      storageEncrypted: true,
      backupRetention: Duration.days(settings.backupRetentionDays),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      autoMinorVersionUpgrade: true,
      enablePerformanceInsights: true,
      cloudwatchLogsExports: ['postgresql', 'upgrade'],
      monitoringInterval: Duration.seconds(60),
    });
    this.secret = this.instance.secret!;

    Validations.of(this.instance).acknowledge({
      id: 'AwsSolutions-RDS11',
      reason: 'The default port 5432 is kept: the database has no route to the internet and its security group admits only the app; another port hides nothing from anyone who can reach the subnet.',
    });
    Validations.of(this.instance.node.findChild('MonitoringRole')).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
      reason: 'The AWS-maintained policy for the role RDS enhanced monitoring assumes; it only lets RDS write OS metrics to the RDSOSMetrics log group.',
    });
    // The generated secret itself; instance.secret is its attachment to the instance.
    Validations.of(this.instance.node.findChild('Secret')).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Not rotated yet: ECS injects the password into the tasks at start, so a rotation would break new connections until every task restarts. Next step (docs/architecture.md): multi-user rotation, or RDS IAM authentication, with a forced redeploy.',
    });
    if (!settings.multiAz) {
      Validations.of(this.instance).acknowledge({
        id: 'AwsSolutions-RDS3',
        reason: 'Staging only: a single-AZ database halves its cost; production is Multi-AZ (environments.ts, and the tests check it).',
      });
    }
  }
}
