// Whether a value (a host name, an address, an instance or key id) is one of a list of assets:
// exact names (any case), `*.zone` for a zone's hosts, IPv4 CIDRs. Pure: the approval gate uses it
// in the workflow sandbox.

function ipv4(value: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(value);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return (((parts[0] as number) << 24) | ((parts[1] as number) << 16) | ((parts[2] as number) << 8) | (parts[3] as number)) >>> 0;
}

export function isAsset(entry: string, value: string): boolean {
  const e = entry.trim().toLowerCase();
  const v = value.trim().toLowerCase();
  if (!e || !v) return false;
  if (e === v) return true;
  if (e.startsWith('*.')) return v.endsWith(e.slice(1));
  const slash = e.indexOf('/');
  if (slash > 0) {
    const net = ipv4(e.slice(0, slash));
    const bits = Number(e.slice(slash + 1));
    const ip = ipv4(v);
    if (net === undefined || ip === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return ((ip & mask) >>> 0) === ((net & mask) >>> 0);
  }
  return false;
}

/** The values that are on the list, each once. */
export function assetsIn(list: readonly string[], values: readonly string[]): string[] {
  return [...new Set(values.filter((v) => list.some((entry) => isAsset(entry, v))))];
}
