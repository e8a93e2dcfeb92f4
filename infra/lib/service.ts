import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { POSTGRES_PORT, type Database } from './database.js';
import type { ServiceEnvironment } from './environments.js';
import { rdsRootCertificates } from './rds-ca.js';

/** The app's port: app/config.ts defaults PORT to 8080. */
export const APP_PORT = 8080;

export interface ImageReference {
  /** Name of the ECR repository the delivery pipeline pushes to. */
  readonly repositoryName: string;
  /** `sha256:…`: the exact image QA tested, never a moving tag. */
  readonly digest: string;
}

export interface WebServiceProps {
  readonly vpc: ec2.IVpc;
  readonly database: Database;
  readonly environment: ServiceEnvironment;
  readonly image: ImageReference;
  readonly certificateArn: string;
  readonly logBucket: s3.IBucket;
}

/** Where the start command writes the RDS root certificates: a task volume, the root filesystem is read-only. */
const CA_FILE = '/tmp/rds-ca.pem';

/**
 * The app reads one DATABASE_URL (app/config.ts); Secrets Manager holds the credentials as fields.
 * ECS injects the fields, and the shell assembles the URL just before starting node (the password
 * is generated without URL-special characters, so it needs no escaping). TLS is verified:
 * `sslmode=verify-full` against the region's RDS root certificates only (DB_CA_BUNDLE, written to
 * a file for `sslrootcert`), and the host name must match the endpoint's certificate. Assumes the
 * image's working directory holds the compiled app (dist/app/server.js), as `npm run build` lays it out.
 */
function startWithDatabaseUrl(databaseName: string): string {
  return [
    `printf '%s' "$DB_CA_BUNDLE" > ${CA_FILE}`,
    `export DATABASE_URL="postgres://$DB_USER:$DB_PASSWORD@$DB_HOST:$DB_PORT/${databaseName}?sslmode=verify-full&sslrootcert=${CA_FILE}"`,
    'exec node dist/app/server.js',
  ].join('; ');
}

/** Liveness through node itself: the image need not ship curl. */
const LIVENESS_PROBE = `fetch('http://127.0.0.1:${APP_PORT}/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`;

/**
 * The app on ECS Fargate behind an internet-facing ALB: tasks in the private subnets of both AZs,
 * HTTPS on 443 (80 only redirects), liveness (/healthz) for the load balancer and the container
 * (readiness, which depends on the database, is an alarm: alarms.ts), rolling deploys with a
 * circuit breaker, scaling on CPU and requests per task.
 */
export class WebService extends Construct {
  readonly cluster: ecs.Cluster;
  readonly service: ecs.FargateService;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id);
    const { vpc, database, environment, image } = props;

    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: environment.taskCpu,
      memoryLimitMiB: environment.taskMemoryMiB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    const repository = ecr.Repository.fromRepositoryName(this, 'Repository', image.repositoryName);
    const executionRole = taskDefinition.obtainExecutionRole();
    repository.grantPull(executionRole);
    Validations.of(executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken has no resource-level permissions (it must be "*"); the pull actions are scoped to the one repository, the secret reads to the one secret.',
    });

    const logGroup = this.logGroup = new logs.LogGroup(this, 'AppLogs', {
      retention: environment.logRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    taskDefinition.addVolume({ name: 'tmp' });
    const container = taskDefinition.addContainer('app', {
      image: ecs.ContainerImage.fromRegistry(repository.repositoryUriForDigest(image.digest)),
      // PORT (8080) and HOST (0.0.0.0) are the app's defaults; the one plain variable is public certificates.
      environment: { DB_CA_BUNDLE: rdsRootCertificates(environment.region) },
      command: ['sh', '-c', startWithDatabaseUrl(database.databaseName)],
      portMappings: [{ containerPort: APP_PORT }],
      secrets: {
        DB_HOST: ecs.Secret.fromSecretsManager(database.secret, 'host'),
        DB_PORT: ecs.Secret.fromSecretsManager(database.secret, 'port'),
        DB_USER: ecs.Secret.fromSecretsManager(database.secret, 'username'),
        DB_PASSWORD: ecs.Secret.fromSecretsManager(database.secret, 'password'),
      },
      healthCheck: {
        command: ['CMD', 'node', '-e', LIVENESS_PROBE],
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(15),
      },
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'app' }),
      // SIGTERM first: the app finishes in-flight requests within 10 s, well inside this.
      stopTimeout: Duration.seconds(30),
      readonlyRootFilesystem: true,
    });
    container.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });
    Validations.of(taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: 'The one plain environment variable, DB_CA_BUNDLE, holds the public Amazon RDS root certificates; the credentials come from Secrets Manager.',
    });

    const appSecurityGroup = new ec2.SecurityGroup(this, 'AppSecurityGroup', {
      vpc,
      description: 'hello app tasks: 8080 from the load balancer only',
      allowAllOutbound: true,
    });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition,
      desiredCount: environment.tasks.desired,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [appSecurityGroup],
      assignPublicIp: false,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: Duration.seconds(30),
    });

    const albSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc,
      description: 'hello ALB: HTTPS and HTTP from the internet; out to the app only',
      allowAllOutbound: false,
    });
    Validations.of(albSecurityGroup).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: 'The internet-facing load balancer must accept 443 (and 80, which only redirects to 443) from anywhere; nothing else is open.',
    });
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup: albSecurityGroup,
      dropInvalidHeaderFields: true,
      // Longer than any request the app serves; the app's keep-alive (65 s) outlives it, so the ALB closes first.
      idleTimeout: Duration.seconds(60),
    });
    this.loadBalancer.logAccessLogs(props.logBucket, 'alb');

    const https = this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromArn(props.certificateArn)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      open: true,
    });
    this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443 });

    this.targetGroup = https.addTargets('App', {
      port: APP_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.service],
      deregistrationDelay: Duration.seconds(30),
      // Liveness, not readiness: during a database failover every task fails /readyz at once, and
      // ECS would replace healthy tasks for nothing. The database's reachability is an alarm instead.
      healthCheck: {
        path: '/healthz',
        healthyHttpCodes: '200',
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });

    const scaling = this.service.autoScaleTaskCount({ minCapacity: environment.tasks.min, maxCapacity: environment.tasks.max });
    scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: 60,
      scaleOutCooldown: Duration.seconds(60),
      scaleInCooldown: Duration.seconds(300),
    });
    scaling.scaleOnRequestCount('Requests', {
      requestsPerTarget: environment.requestsPerTarget,
      targetGroup: this.targetGroup,
      scaleOutCooldown: Duration.seconds(60),
      scaleInCooldown: Duration.seconds(300),
    });

    database.instance.connections.allowFrom(this.service, ec2.Port.tcp(POSTGRES_PORT), 'hello app tasks');
  }
}
