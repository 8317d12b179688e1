// What nftables says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'nftables',
  title: 'nftables egress block (the driver behind containment* when RIPOSTE_CONTAINMENT=nftables)',
  category: 'containment',
  docUrl: 'https://wiki.nftables.org/',
  activities: [],
  settings: [
    { name: 'RIPOSTE_NFT_NETNS', description: 'network namespace to act in (this host if unset)' },
    { name: 'RIPOSTE_NFT_TABLE', description: 'the inet table Riposte owns (riposte)' },
  ],
  privileged: true,
};
