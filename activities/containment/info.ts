// What containment says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'containment',
  title: 'Containment by target kind: egress (nftables), hosts (EDR), cloud instances and credentials (AWS) — each with its undo',
  category: 'containment',
  docUrl: 'activities/containment/README.md',
  activities: ['containmentPlan', 'containmentApply', 'containmentUndo', 'containmentBlockEgress', 'containmentUnblockEgress'],
  settings: [
    { name: 'RIPOSTE_CONTAINMENT', description: 'drivers allowed to act for real, e.g. nftables,crowdstrike,aws (log-only: none — every action is recorded as simulated)' },
    { name: 'RIPOSTE_NEVER_CONTAIN', description: 'CIDRs, addresses, host names (*.zone) and cloud ids never to contain, besides loopback, this host, its gateways and resolvers' },
  ],
  // The plan is configuration only and runs beside the workflow; acting needs the privileged worker.
  privileged: ['containmentApply', 'containmentUndo', 'containmentBlockEgress', 'containmentUnblockEgress'],
};
