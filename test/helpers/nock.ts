// nock for vendor SaaS APIs: no real network, loopback allowed (the API under test, local
// peers), and a request nobody expected fails the test loudly.
import nock from 'nock';

let unmatched: string[] = [];

export function setupNock(): void {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith('127.0.0.1') || host.startsWith('localhost') || host.startsWith('[::1]'));
  nock.emitter.on('no match', (req: { method?: string; path?: string; host?: string; options?: { host?: string } }) => {
    const host = req.host ?? req.options?.host ?? '';
    if (!/^(127\.0\.0\.1|localhost|\[::1\])/.test(host)) unmatched.push(`${req.method} ${host}${req.path ?? ''}`);
  });
}

/** Call in afterEach: every interceptor was used, and no request went unmatched. */
export function checkNock(): void {
  const pending = nock.pendingMocks();
  const stray = unmatched;
  unmatched = [];
  nock.cleanAll();
  if (pending.length) throw new Error(`expected requests never came: ${pending.join(', ')}`);
  if (stray.length) throw new Error(`unexpected requests: ${stray.join(', ')}`);
}

export { nock };
