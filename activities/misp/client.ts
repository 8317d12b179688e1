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
  Event?: { id: string; info: string; threat_level_id?: string; date?: string };
  Tag?: Array<{ name: string }>;
}

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
}
