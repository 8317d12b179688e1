// The only place that knows MISP's URLs and headers (the automation key in Authorization).
import type { Secret } from '../../config/secret.ts';
import { httpRequest } from '../shared/http.ts';
import type { RateLimiter } from '../shared/rate-limit.ts';

export interface MispAttribute {
  id: string;
  event_id: string;
  type: string;
  category?: string;
  value: string;
  to_ids?: boolean;
  timestamp?: string;
  first_seen?: string | null;
  comment?: string;
  deleted?: boolean;
  /** Set by MISP when enforceWarninglist marks (rather than drops) a warninglist hit. */
  blocked?: boolean;
  /** MISP 2.4.196+ adds `publish_timestamp` (epoch seconds) to each attribute's event. */
  Event?: { id: string; info: string; threat_level_id?: string; date?: string; publish_timestamp?: string };
  Tag?: Array<{ name: string }>;
}

/** One page of IDS attributes from events published since a time. */
export interface RecentAttributesQuery {
  /** Epoch seconds: events published at or after it. */
  publishedSince: number;
  types: readonly string[];
  /** 1-based. */
  page: number;
  limit: number;
}

/** A feed pull moves more data than a lookup: a minute, not ten seconds. */
const FEED_TIMEOUT_MS = 60_000;

export interface MispClientOptions { baseUrl: string; authKey: Secret; timeoutMs?: number; limiter?: RateLimiter }

export class MispClient {
  constructor(private readonly opts: MispClientOptions) {}

  /** POST /attributes/restSearch for exact values. */
  async searchAttributes(values: string[], limit = 50): Promise<MispAttribute[]> {
    const res = await httpRequest<{ response?: { Attribute?: MispAttribute[] } }>({
      integration: 'misp',
      method: 'POST',
      url: `${this.opts.baseUrl}/attributes/restSearch`,
      headers: { authorization: this.opts.authKey.reveal() },
      body: { returnFormat: 'json', value: values, limit, includeEventTags: true, includeContext: false, deleted: false },
      timeoutMs: this.opts.timeoutMs,
      limiter: this.opts.limiter,
    });
    return res.status === 404 ? [] : (res.body?.response?.Attribute ?? []);
  }

  /**
   * POST /attributes/restSearch for one page of IDS attributes of published events, oldest
   * publication first (MISP before 2.4.196 ignores the order and answers in its own).
   */
  async recentAttributes(q: RecentAttributesQuery): Promise<MispAttribute[]> {
    const res = await httpRequest<{ response?: { Attribute?: MispAttribute[] } }>({
      integration: 'misp',
      method: 'POST',
      url: `${this.opts.baseUrl}/attributes/restSearch`,
      headers: { authorization: this.opts.authKey.reveal() },
      body: {
        returnFormat: 'json',
        type: q.types,
        to_ids: true,
        published: true,
        publish_timestamp: String(q.publishedSince),
        enforceWarninglist: true,
        deleted: false,
        order: 'Event.publish_timestamp asc,Attribute.id asc',
        limit: q.limit,
        page: q.page,
      },
      timeoutMs: this.opts.timeoutMs ?? FEED_TIMEOUT_MS,
      limiter: this.opts.limiter,
    });
    return res.status === 404 ? [] : (res.body?.response?.Attribute ?? []);
  }

  /** Where an analyst reads the event. */
  eventLink(eventId: string): string {
    return `${this.opts.baseUrl}/events/view/${encodeURIComponent(eventId)}`;
  }
}
