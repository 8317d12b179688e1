// What imaging says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'imaging',
  title: 'Forensic disk imaging with dc3dd or dcfldd (SHA-256, chain of custody)',
  category: 'imaging',
  docUrl: 'activities/imaging/README.md',
  activities: ['imagingAcquireDisk', 'imagingVerifyEvidence'],
  settings: [
    { name: 'RIPOSTE_EVIDENCE_DIR', description: 'where images and the custody ledger go (data/evidence)' },
    { name: 'RIPOSTE_SSH_KEY', description: 'path to the private key for remote acquisition over SSH' },
    { name: 'RIPOSTE_SSH_KNOWN_HOSTS', description: 'known_hosts pinning the hosts that may be imaged remotely' },
    { name: 'RIPOSTE_SSH_USER', description: 'remote user (root)' },
    { name: 'RIPOSTE_SSH_PORT', description: 'remote port (22)' },
    { name: 'RIPOSTE_IMAGING_DEVICES', description: 'the only devices that may be imaged, comma-separated (default: RIPOSTE_IMAGING_DEVICE, else /dev/sda)' },
  ],
  privileged: true,
};
