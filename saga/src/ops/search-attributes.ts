/**
 * Registers the saga's search attributes in a namespace (idempotent): the setup step a real
 * cluster needs before the first saga runs (the chart's setup job runs `ops/cli.ts
 * setup-search-attributes`), and what tests and the worker use to check them. An attribute
 * already registered with the right type is left alone; one registered with another type is an
 * error naming it (changing a type needs an operator: it re-indexes every saga).
 */
import type { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { SAGA_SEARCH_ATTRIBUTES } from '../contract/search-attributes';

/** A client or worker (native) connection: both reach the operator service. */
type WithOperatorService = Pick<Connection, 'operatorService'>;

type IndexedValueType = NonNullable<ReturnType<typeof encodeSearchAttributeIndexedValueType>>;

export interface SearchAttributeSetup {
  /** Registered by this call. */
  added: string[];
  /** Already there with the right type. */
  present: string[];
}

/** What is missing or mistyped in `namespace` (custom attributes only). */
export async function checkSagaSearchAttributes(
  connection: WithOperatorService,
  namespace: string,
): Promise<{ missing: string[]; mistyped: string[] }> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({
    namespace,
  });
  const existing = customAttributes ?? {};
  const missing: string[] = [];
  const mistyped: string[] = [];
  for (const { name, type } of SAGA_SEARCH_ATTRIBUTES) {
    if (!(name in existing)) missing.push(name);
    else if (existing[name] !== indexedType(type)) mistyped.push(name);
  }
  return { missing, mistyped };
}

/** Adds the missing ones; fails (touching nothing) when one exists with another type. */
export async function ensureSagaSearchAttributes(
  connection: WithOperatorService,
  namespace: string,
): Promise<SearchAttributeSetup> {
  const { missing, mistyped } = await checkSagaSearchAttributes(connection, namespace);
  if (mistyped.length > 0) {
    throw new Error(
      `namespace ${namespace}: search attributes ${mistyped.join(', ')} exist with another type; ` +
        'remove them (temporal operator search-attribute remove) or rename ours',
    );
  }
  const present = SAGA_SEARCH_ATTRIBUTES.map((a) => a.name).filter((n) => !missing.includes(n));
  if (missing.length === 0) return { added: [], present };
  const searchAttributes: Record<string, IndexedValueType> = {};
  for (const { name, type } of SAGA_SEARCH_ATTRIBUTES) {
    if (missing.includes(name)) searchAttributes[name] = indexedType(type);
  }
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  } catch (err) {
    // Another setup run (a second job, a test in parallel) got there first: fine if complete.
    const again = await checkSagaSearchAttributes(connection, namespace);
    if (again.missing.length > 0 || again.mistyped.length > 0) throw err;
  }
  return { added: missing, present };
}

function indexedType(type: SearchAttributeType): IndexedValueType {
  const t = encodeSearchAttributeIndexedValueType(type);
  if (t === undefined) throw new Error(`unknown search attribute type ${type}`);
  return t;
}

/**
 * The worker's boot step (SAGA_SEARCH_ATTRIBUTES): `check` refuses to start when one is missing
 * or mistyped (every saga would otherwise stall on its first upsert, retrying its workflow task
 * for ever), naming the setup command; `create` registers them (a worker allowed to, e.g. the
 * local stack); `off` skips both (a namespace managed elsewhere, checked by other means).
 */
export async function searchAttributesAtBoot(
  connection: WithOperatorService,
  namespace: string,
  mode: 'check' | 'create' | 'off',
): Promise<void> {
  if (mode === 'off') return;
  if (mode === 'create') {
    await ensureSagaSearchAttributes(connection, namespace);
    return;
  }
  const { missing, mistyped } = await checkSagaSearchAttributes(connection, namespace);
  if (missing.length > 0 || mistyped.length > 0) {
    throw new Error(
      `namespace ${namespace} lacks the saga's search attributes (missing: ${missing.join(', ') || 'none'}; ` +
        `wrong type: ${mistyped.join(', ') || 'none'}): run \`tsx saga/src/ops/cli.ts setup-search-attributes\` ` +
        "(the chart's setup job) or scripts/temporal.sh configure, or set SAGA_SEARCH_ATTRIBUTES=create",
    );
  }
}
