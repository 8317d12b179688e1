// What an access key did: CloudTrail's event history (management events of the last 90 days in
// one region), looked up by AccessKeyId, newest first, bounded. LookupEvents is limited to two
// requests a second per account and region, so it runs under its own limiter (see client.ts).
import { LookupEventsCommand, type Event } from '@aws-sdk/client-cloudtrail';
import type { AwsClient } from './client.ts';
import type { KeyActivityEvent, LookupKeyActivityResult } from './types.ts';

/** LookupEvents' own page maximum. */
const PAGE = 50;

export async function lookupKeyActivity(aws: AwsClient, region: string | undefined, accessKeyId: string, since: string, limit: number): Promise<LookupKeyActivityResult> {
  const ct = aws.in(region).cloudtrail;
  const events: KeyActivityEvent[] = [];
  let next: string | undefined;
  do {
    const page = await aws.lookup((abortSignal) =>
      ct.send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: accessKeyId }],
          StartTime: new Date(since),
          MaxResults: Math.min(PAGE, limit - events.length),
          ...(next ? { NextToken: next } : {}),
        }),
        { abortSignal }
      )
    );
    events.push(...(page.Events ?? []).slice(0, limit - events.length).map(normalize));
    next = page.NextToken;
  } while (next && events.length < limit);
  return { status: 'ok', events, truncated: Boolean(next) };
}

function normalize(e: Event): KeyActivityEvent {
  // The full record is a JSON string; only the fields a responder reads first are kept.
  let detail: { sourceIPAddress?: unknown; awsRegion?: unknown } = {};
  try {
    detail = e.CloudTrailEvent ? (JSON.parse(e.CloudTrailEvent) as typeof detail) : {};
  } catch {
    /* a record CloudTrail could not give whole: keep the summary fields */
  }
  return {
    time: e.EventTime?.toISOString() ?? '',
    eventName: e.EventName ?? '',
    eventSource: e.EventSource ?? '',
    ...(typeof detail.sourceIPAddress === 'string' ? { sourceIp: detail.sourceIPAddress } : {}),
    ...(typeof detail.awsRegion === 'string' ? { region: detail.awsRegion } : {}),
    ...(e.Username ? { userName: e.Username } : {}),
  };
}
