// The only place that builds AWS SDK clients: one set per region, credentials from the SDK's
// default provider chain unless keys are given, an emulator endpoint when one is configured, and
// every call through the integration's rate limit, a span, a timeout tied to activity
// cancellation, and the AWS error → failure mapping.
import { SpanStatusCode } from '@opentelemetry/api';
import { Context } from '@temporalio/activity';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import type { Secret } from '../../config/secret.ts';
import { tracer } from '../../telemetry/index.ts';
import type { RateLimiter } from '../shared/rate-limit.ts';
import { awsFailure } from './errors.ts';

export interface AwsClientOptions {
  /** The default region (an activity may name another). */
  region: string;
  /** An emulator (moto) or a VPC endpoint; every service is sent there. */
  endpoint?: string;
  /** Static keys; without them the SDK's default chain finds credentials (profile, SSO, instance role …). */
  credentials?: { accessKeyId: string; secretAccessKey: Secret; sessionToken?: Secret };
  /** A shared-config profile for the default chain. */
  profile?: string;
  limiter?: RateLimiter;
  /** CloudTrail LookupEvents has its own, much lower, limit. */
  lookupLimiter?: RateLimiter;
  /** The SDK's own attempts per call (it retries throttling and 5xx itself before Temporal does). */
  maxAttempts?: number;
  timeoutMs?: number;
}

interface RegionClients {
  ec2: EC2Client;
  autoscaling: AutoScalingClient;
  elbv2: ElasticLoadBalancingV2Client;
  cloudtrail: CloudTrailClient;
}

type ClientConfig = ConstructorParameters<typeof EC2Client>[0] & object;

export class AwsClient {
  private readonly regions = new Map<string, RegionClients>();
  private iamClient?: IAMClient;

  constructor(private readonly opts: AwsClientOptions) {}

  get defaultRegion(): string {
    return this.opts.region;
  }

  /** The clients of a region (the default one when none is named). */
  in(region?: string): RegionClients {
    const name = region ?? this.opts.region;
    let clients = this.regions.get(name);
    if (!clients) {
      const config = this.config(name);
      clients = { ec2: new EC2Client(config), autoscaling: new AutoScalingClient(config), elbv2: new ElasticLoadBalancingV2Client(config), cloudtrail: new CloudTrailClient(config) };
      this.regions.set(name, clients);
    }
    return clients;
  }

  /** IAM is global; its client signs for the partition of the default region. */
  get iam(): IAMClient {
    this.iamClient ??= new IAMClient(this.config(this.opts.region));
    return this.iamClient;
  }

  /**
   * Runs one AWS call: `op` names it (the API action) for spans and failures; `send` gets the
   * abort signal to pass to the SDK (`client.send(command, { abortSignal })`).
   */
  async call<T>(op: string, send: (abortSignal: AbortSignal) => Promise<T>, limiter = this.opts.limiter): Promise<T> {
    const run = () =>
      tracer.startActiveSpan(`aws ${op}`, async (span) => {
        try {
          return await send(callSignal(this.opts.timeoutMs ?? 30_000));
        } catch (err) {
          const failure = awsFailure(op, err);
          span.setStatus({ code: SpanStatusCode.ERROR, message: failure instanceof Error ? failure.message : String(failure) });
          throw failure;
        } finally {
          span.end();
        }
      });
    return limiter ? limiter.run(run) : run();
  }

  /** A LookupEvents call, under CloudTrail's own limit. */
  async lookup<T>(send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    return this.call('LookupEvents', send, this.opts.lookupLimiter ?? this.opts.limiter);
  }

  private config(region: string): ClientConfig {
    const c = this.opts.credentials;
    return {
      region,
      ...(this.opts.endpoint ? { endpoint: this.opts.endpoint } : {}),
      ...(this.opts.profile ? { profile: this.opts.profile } : {}),
      // A provider function, so the secret is read only when a request is signed.
      ...(c ? { credentials: async () => ({ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey.reveal(), ...(c.sessionToken ? { sessionToken: c.sessionToken.reveal() } : {}) }) } : {}),
      ...(this.opts.maxAttempts ? { maxAttempts: this.opts.maxAttempts } : {}),
    };
  }
}

function callSignal(timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    return AbortSignal.any([timeout, Context.current().cancellationSignal]);
  } catch {
    return timeout; // outside an activity (a script, a unit test of the client)
  }
}

/** The ARN partition of a region: aws, aws-cn, aws-us-gov. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
