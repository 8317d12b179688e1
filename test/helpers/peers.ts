// The real peers an end-to-end response needs — a host and a C2 server in network namespaces,
// dnsmasq resolving the C2 domain, a Jira stand-in — and the environment an operator would
// give the worker to use them.
import { startDnsmasq, type Dnsmasq } from './dnsmasq.ts';
import { startFakeJira, type FakeJira } from './fake-jira.ts';
import { createC2Lab, type C2Lab } from './netns.ts';

export const C2_DOMAIN = 'c2-never-seen.test';

export interface ResponsePeers {
  lab: C2Lab;
  dns: Dnsmasq;
  jira: FakeJira;
  /** Worker configuration, as environment variables. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startResponsePeers(): Promise<ResponsePeers> {
  const lab = await createC2Lab();
  const dns = await startDnsmasq({ [C2_DOMAIN]: lab.c2Ip });
  const jira = await startFakeJira();
  return {
    lab,
    dns,
    jira,
    env: {
      RIPOSTE_CONTAINMENT: 'nftables',
      RIPOSTE_NFT_NETNS: lab.hostNs,
      RIPOSTE_DNS_SERVERS: dns.server,
      JIRA_BASE_URL: jira.baseUrl,
      JIRA_EMAIL: jira.email,
      JIRA_API_TOKEN: jira.token,
      JIRA_PROJECT_KEY: 'SEC',
    },
    async stop() {
      await jira.close();
      await dns.stop();
      await lab.cleanup();
    },
  };
}
