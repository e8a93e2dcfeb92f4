import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface NetworkProps {
  readonly natGateways: number;
}

/**
 * Two AZs, three tiers: public subnets hold only the ALB and the NAT gateways, private subnets the
 * app's tasks (outbound through NAT for ECR, Secrets Manager and CloudWatch), isolated subnets the
 * database (no route to or from the internet at all). Also the bucket that keeps the ALB's access
 * logs and the VPC flow logs.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  readonly logBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);

    this.logBucket = new s3.Bucket(this, 'Logs', {
      // ALB access logs can only be written to SSE-S3 buckets.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.logBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket is the log destination (ALB access logs, VPC flow logs); logging its own access would need a second bucket that nobody reads. CloudTrail data events are the audit trail if ever needed.',
    });

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
      // Two AZs from the stack's region, resolved by CloudFormation (Fn::GetAZs): no lookup at synth time.
      maxAzs: 2,
      natGateways: props.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        { name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      flowLogs: {
        rejected: { destination: ec2.FlowLogDestination.toS3(this.logBucket, 'vpc-flow-logs/'), trafficType: ec2.FlowLogTrafficType.REJECT },
      },
    });
  }
}
