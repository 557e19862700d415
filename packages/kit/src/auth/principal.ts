/** Roles a token can carry. `service` marks an internal workload, never a person. */
export type Role = 'customer' | 'admin' | 'service';

/** The authenticated caller of an RPC. */
export interface Principal {
  /** User id for people; `service:<workload>` for internal workloads. */
  subject: string;
  roles: readonly Role[];
  /** True for workload identities (services and workers calling as themselves, ops jobs). */
  isService: boolean;
}

/** Who may call a method: nobody needs a token (`public`), or one of these roles. */
export type AccessRule = 'public' | 'authenticated' | Role | readonly Role[];

export function hasAccess(p: Principal, rule: Exclude<AccessRule, 'public'>): boolean {
  if (rule === 'authenticated') return true;
  const wanted = typeof rule === 'string' ? [rule] : rule;
  return wanted.some((r) => p.roles.includes(r as Role));
}
