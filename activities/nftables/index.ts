// nftables containment driver: egress blocks as drop rules in `table inet <RIPOSTE_NFT_TABLE>`,
// on this host or in RIPOSTE_NFT_NETNS. Each rule's comment carries a tag derived from the
// idempotency key and address, so a retry finds the rule it already added and undo finds
// exactly the rules a case added.
import { createHash } from 'node:crypto';
import type { EgressBlocker } from '../containment/types.ts';
import type { Nft } from './client.ts';
import { info } from './info.ts';

export { info };

/** `riposte:<key hash>:<address hash>` — fits nft's 128-character comment limit. */
export function ruleTag(idempotencyKey: string, address?: string): string {
  const h = (s: string) => createHash('sha256').update(s).digest('hex');
  const base = `riposte:${h(idempotencyKey).slice(0, 24)}`;
  return address === undefined ? base : `${base}:${h(address).slice(0, 12)}`;
}

export function nftablesEgressBlocker(nft: Nft, where: string): EgressBlocker {
  return {
    name: 'nftables',
    async block(input) {
      await nft.ensureTable();
      const existing = new Set((await nft.listBlocklist()).map((r) => r.comment));
      const actions: string[] = [];
      const refs: string[] = [];
      let alreadyPresent = 0;
      for (const address of input.addresses) {
        const tag = ruleTag(input.idempotencyKey, address);
        refs.push(tag);
        if (existing.has(tag)) {
          alreadyPresent += 1;
          actions.push(`egress to ${address} already blocked (${where})`);
          continue;
        }
        await nft.addDrop(address, tag, input.hostIp);
        actions.push(`blocked egress${input.hostIp ? ` from ${input.hostIp}` : ''} to ${address} (${where})`);
      }
      return { driver: 'nftables', actions, refs, alreadyPresent };
    },
    async unblock(input) {
      await nft.ensureTable();
      const prefix = ruleTag(input.idempotencyKey);
      const rules = (await nft.listBlocklist()).filter((r) => r.comment?.startsWith(`${prefix}:`));
      for (const rule of rules) await nft.deleteRule(rule.handle);
      return { driver: 'nftables', removed: rules.length };
    },
  };
}
