/** The faults the loop applies: the ones of the outside run that crashed the saga worker. */
export const FAULT_KINDS = [
  'freeze-payments',
  'freeze-inventory',
  'freeze-worker',
  'kill-temporal',
  'kill-mariadb',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export function isFaultKind(s: string): s is FaultKind {
  return (FAULT_KINDS as readonly string[]).includes(s);
}
