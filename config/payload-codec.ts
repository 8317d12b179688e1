// Workflow payloads encrypted at rest (RIPOSTE_PAYLOAD_KEYS): every payload the worker, the API
// and the CLIs hand to Temporal — alerts, findings, approvals — is sealed with AES-256-GCM under
// the current key, named by its id, so Temporal's history holds no alert in clear. Every listed
// key still opens what it sealed (rotation: put the new key first, keep the old ones while their
// histories live); payloads that were never sealed pass through (histories from before).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { Secret } from './secret.ts';

const { Payload: PayloadMessage } = proto.temporal.api.common.v1;

export const ENCRYPTED = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array | null | undefined) => (b ? new TextDecoder().decode(b) : undefined);

export interface PayloadKey {
  id: string;
  key: Secret;
}

/** `id:base64key,…` (32-byte keys; ids of letters, digits, `.`, `_`, `-`) → the keys, or what is wrong. */
export function parsePayloadKeys(raw: string): { keys: PayloadKey[] } | { problem: string } {
  const keys: PayloadKey[] = [];
  for (const [i, entry] of raw.split(',').map((e) => e.trim()).filter(Boolean).entries()) {
    const at = entry.indexOf(':');
    const id = entry.slice(0, at);
    const key = Buffer.from(entry.slice(at + 1), 'base64');
    if (at <= 0 || !/^[A-Za-z0-9._-]{1,64}$/.test(id) || key.length !== 32) return { problem: `RIPOSTE_PAYLOAD_KEYS entry ${i + 1} must be id:<32 bytes in base64> (openssl rand -base64 32)` };
    if (keys.some((k) => k.id === id)) return { problem: `RIPOSTE_PAYLOAD_KEYS names key ${id} twice` };
    keys.push({ id, key: new Secret(key.toString('base64')) });
  }
  return { keys };
}

export class EncryptionCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;

  /** The first key seals; all of them open. */
  constructor(private readonly keys: PayloadKey[]) {
    if (keys.length === 0) throw new Error('EncryptionCodec needs at least one key');
    this.byId = new Map(keys.map((k) => [k.id, Buffer.from(k.key.reveal(), 'base64')]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id } = this.keys[0] as PayloadKey;
    const key = this.byId.get(id) as Buffer;
    return payloads.map((p) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const sealed = Buffer.concat([iv, cipher.update(PayloadMessage.encode(p).finish()), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: text(ENCRYPTED), [KEY_ID]: text(id) }, data: sealed };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      if (str(p.metadata?.encoding) !== ENCRYPTED) return p;
      const id = str(p.metadata?.[KEY_ID]) ?? '';
      const key = this.byId.get(id);
      if (!key) throw new Error(`payload sealed with key "${id}", which RIPOSTE_PAYLOAD_KEYS does not list`);
      const data = Buffer.from(p.data ?? new Uint8Array());
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(data.length - 16));
      const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
      return PayloadMessage.decode(plain) as Payload;
    });
  }
}

/** The data converter every Temporal client and worker of this deployment uses (none: payloads in clear). */
export function dataConverter(keys: PayloadKey[] | undefined): { payloadCodecs: PayloadCodec[] } | undefined {
  return keys?.length ? { payloadCodecs: [new EncryptionCodec(keys)] } : undefined;
}
