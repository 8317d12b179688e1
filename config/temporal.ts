// How every Riposte process reaches Temporal: the embedded dev server or a configured cluster.
import fs from 'node:fs';
import type { TemporalConfig } from './index.ts';

export interface TemporalConnectionSettings {
  address: string;
  tls?: {
    serverNameOverride?: string;
    serverRootCACertificate?: Buffer;
    clientCertPair?: { crt: Buffer; key: Buffer };
  };
  apiKey?: string;
}

/** Address of the embedded dev server when TEMPORAL_ADDRESS is unset. */
export function temporalAddress(t: TemporalConfig): string {
  return t.address ?? `127.0.0.1:${t.devServer.port}`;
}

export function temporalConnectionSettings(t: TemporalConfig): TemporalConnectionSettings {
  const settings: TemporalConnectionSettings = { address: temporalAddress(t) };
  if (t.tls) {
    settings.tls = {
      serverNameOverride: t.tls.serverName,
      serverRootCACertificate: t.tls.serverRootCaPath ? fs.readFileSync(t.tls.serverRootCaPath) : undefined,
      clientCertPair:
        t.tls.clientCertPath && t.tls.clientKeyPath
          ? { crt: fs.readFileSync(t.tls.clientCertPath), key: fs.readFileSync(t.tls.clientKeyPath) }
          : undefined,
    };
  }
  if (t.apiKey) settings.apiKey = t.apiKey.reveal();
  return settings;
}
