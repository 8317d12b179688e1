// The only place that knows Falcon's URLs and headers (OAuth2 client credentials, then Bearer).
import { ApplicationFailure } from '@temporalio/common';
import type { Secret } from '../../config/secret.ts';
import { ErrorType } from '../shared/errors.ts';
import { oauthCall, TokenSource } from '../shared/oauth.ts';
import type { RateLimiter } from '../shared/rate-limit.ts';

export interface FalconClientOptions { baseUrl: string; clientId: string; clientSecret: Secret; timeoutMs?: number; limiter?: RateLimiter }

export class FalconClient {
  private readonly tokens: TokenSource;

  constructor(private readonly opts: FalconClientOptions) {
    this.tokens = new TokenSource({ integration: 'crowdstrike', tokenUrl: `${opts.baseUrl}/oauth2/token`, clientId: opts.clientId, clientSecret: opts.clientSecret, timeoutMs: opts.timeoutMs });
  }

  /** Agent ids of hosts with this hostname. */
  async findDevices(hostname: string): Promise<string[]> {
    const filter = `hostname:'${hostname.replace(/['\\]/g, '')}'`;
    const res = await this.request<{ resources?: string[] }>('GET', `/devices/queries/devices/v1?${new URLSearchParams({ filter })}`);
    return res?.resources ?? [];
  }

  /** The device's `status`: normal, containment_pending, contained, lift_containment_pending. */
  async deviceStatus(id: string): Promise<string | undefined> {
    const res = await this.request<{ resources?: Array<{ device_id: string; status?: string }> }>('GET', `/devices/entities/devices/v2?${new URLSearchParams({ ids: id })}`);
    return res?.resources?.[0]?.status;
  }

  async deviceAction(action: 'contain' | 'lift_containment', id: string): Promise<void> {
    await this.request('POST', `/devices/entities/devices-actions/v2?action_name=${action}`, { ids: [id] });
  }

  // Real Time Response: a session on the host, a `get` of a file, the file from the cloud.

  async rtrSession(deviceId: string): Promise<string> {
    const res = await this.request<{ resources?: Array<{ session_id: string }> }>('POST', '/real-time-response/entities/sessions/v1', { device_id: deviceId, origin: 'riposte', queue_offline: false });
    const id = res?.resources?.[0]?.session_id;
    if (!id) throw ApplicationFailure.create({ type: ErrorType.unavailable, message: 'crowdstrike: RTR opened no session' });
    return id;
  }

  /** Runs `get <path>` (active responder); answers the cloud request id. */
  async rtrGet(sessionId: string, deviceId: string, filePath: string): Promise<string> {
    const res = await this.request<{ resources?: Array<{ cloud_request_id: string }> }>('POST', '/real-time-response/entities/active-responder-command/v1', {
      base_command: 'get',
      command_string: `get ${filePath}`,
      session_id: sessionId,
      device_id: deviceId,
      persist: true,
    });
    const id = res?.resources?.[0]?.cloud_request_id;
    if (!id) throw ApplicationFailure.create({ type: ErrorType.unavailable, message: 'crowdstrike: RTR accepted no command' });
    return id;
  }

  async rtrCommandStatus(cloudRequestId: string): Promise<{ complete: boolean; stderr?: string }> {
    const res = await this.request<{ resources?: Array<{ complete: boolean; stderr?: string }> }>('GET', `/real-time-response/entities/active-responder-command/v1?${new URLSearchParams({ cloud_request_id: cloudRequestId, sequence_id: '0' })}`);
    return res?.resources?.[0] ?? { complete: false };
  }

  async rtrFiles(sessionId: string): Promise<Array<{ name: string; sha256: string; size?: number; cloud_request_id?: string }>> {
    return (await this.request<{ resources?: Array<{ name: string; sha256: string; size?: number; cloud_request_id?: string }> }>('GET', `/real-time-response/entities/file/v2?${new URLSearchParams({ session_id: sessionId })}`))?.resources ?? [];
  }

  /** The URL and headers of a retrieved file (a 7z archive, password "infected"). */
  async rtrFileDownload(sessionId: string, sha256: string, filename: string): Promise<{ url: string; headers: Record<string, string> }> {
    return {
      url: `${this.opts.baseUrl}/real-time-response/entities/extracted-file-contents/v1?${new URLSearchParams({ session_id: sessionId, sha256, filename })}`,
      headers: { authorization: `Bearer ${await this.tokens.get()}` },
    };
  }

  async rtrCloseSession(sessionId: string): Promise<void> {
    await this.request('DELETE', `/real-time-response/entities/sessions/v1?${new URLSearchParams({ session_id: sessionId })}`).catch(() => undefined);
  }

  private async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T | null> {
    return oauthCall<T>(this.tokens, { integration: 'crowdstrike', method, url: `${this.opts.baseUrl}${path}`, ...(body !== undefined ? { body } : {}), timeoutMs: this.opts.timeoutMs, limiter: this.opts.limiter });
  }

}
