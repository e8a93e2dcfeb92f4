/**
 * Staging and production are the same design at two sizes. Everything that differs between them
 * is here, as data, so the stack has no `if (production)` branches and the sizes can be compared
 * in one place (and tested).
 */
export interface ServiceEnvironment {
  /** Used in stack and resource names and as the `environment` tag. */
  readonly name: 'staging' | 'production';
  readonly region: string;
  /** Tasks of the app: desired at deploy time, and the auto scaling range. */
  readonly tasks: { readonly desired: number; readonly min: number; readonly max: number };
  /** Fargate task size: CPU units (1024 = 1 vCPU) and memory in MiB. */
  readonly taskCpu: number;
  readonly taskMemoryMiB: number;
  /** ALB requests per target per minute above which the service scales out. */
  readonly requestsPerTarget: number;
  /** One NAT gateway per AZ keeps egress alive when an AZ goes down; one is cheaper. */
  readonly natGateways: number;
  readonly database: {
    /** An `ec2.InstanceType` string without the `db.` prefix, e.g. `t4g.small`. */
    readonly instanceType: string;
    readonly multiAz: boolean;
    readonly allocatedStorageGiB: number;
    readonly maxAllocatedStorageGiB: number;
    readonly backupRetentionDays: number;
    /** About 80% of the instance class's default max_connections (LEAST(RAM/9531392, 5000)). */
    readonly connectionsAlarmThreshold: number;
  };
  readonly logRetentionDays: number;
}

export const staging: ServiceEnvironment = {
  name: 'staging',
  region: 'eu-west-1',
  // Two tasks even in staging: QA then sees the same rolling deploys and load balancing as production.
  tasks: { desired: 2, min: 2, max: 3 },
  taskCpu: 256,
  taskMemoryMiB: 512,
  requestsPerTarget: 500,
  natGateways: 1,
  database: {
    instanceType: 't4g.micro',
    // Single-AZ: a staging outage during a failover test is acceptable, and it halves the database bill.
    multiAz: false,
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 50,
    backupRetentionDays: 7,
    connectionsAlarmThreshold: 80,
  },
  logRetentionDays: 14,
};

export const production: ServiceEnvironment = {
  name: 'production',
  region: 'eu-west-1',
  tasks: { desired: 2, min: 2, max: 6 },
  taskCpu: 512,
  taskMemoryMiB: 1024,
  requestsPerTarget: 1000,
  natGateways: 2,
  database: {
    instanceType: 't4g.small',
    multiAz: true,
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 100,
    backupRetentionDays: 14,
    connectionsAlarmThreshold: 180,
  },
  logRetentionDays: 30,
};

export const environments: readonly ServiceEnvironment[] = [staging, production];
