// What collection says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'collection',
  title: 'Evidence collection: memory (Elastic Defend), triage packages (Defender), disk images (dc3dd/dcfldd over SSH)',
  category: 'imaging',
  docUrl: 'activities/collection/README.md',
  activities: ['collectionCollect', 'collectionRecordDocument'],
  settings: [{ name: 'RIPOSTE_IMAGING_DEVICE', description: 'the disk imaged on a host over SSH when a playbook names none (/dev/sda)' }],
  privileged: true,
};
