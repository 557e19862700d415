/**
 * Operator commands for the saga (README "Operating the saga"):
 *
 *   tsx saga/src/ops/cli.ts setup-search-attributes     register the saga's search attributes (idempotent)
 *   tsx saga/src/ops/cli.ts replay-gate                 replay recent sagas' histories against this code
 *   tsx saga/src/ops/cli.ts needs-attention             NEEDS_ATTENTION sagas, failed compensations, retries
 *   tsx saga/src/ops/cli.ts retry-compensation <orderId> <compensation>
 *   tsx saga/src/ops/cli.ts cancel <orderId> <reason...>
 *
 * The last three need an admin token (MESHCART_ADMIN_TOKEN[_FILE]) checked like every
 * service checks one (operator-auth.ts). Output: one JSON document on stdout. Exit codes:
 * 0 done, 1 the gate failed or an unexpected error, 2 configuration, 3 refused (with the reason).
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ConfigError, DomainError, loadConfig, temporalConnectionOptions } from '@meshcart/kit';
import { payloadDataConverter } from '../worker/payload-codec';
import { bundleSagaWorkflows } from '../worker/saga-worker';
import { operatorSpec, replayGateSpec, temporalOpsSpec, type TemporalOpsConfig } from './config';
import { authorizeOperator } from './operator-auth';
import { gateVerdict, runReplayGate } from './replay-gate';
import { OperatorError, cancelSaga, listNeedsAttention, retryCompensation } from './saga-admin';
import { ensureSagaSearchAttributes } from './search-attributes';

const USAGE =
  'usage: cli.ts setup-search-attributes | replay-gate | needs-attention | retry-compensation <orderId> <compensation> | cancel <orderId> <reason...>';

const print = (o: unknown) => process.stdout.write(`${JSON.stringify(o, null, 2)}\n`);

async function connect(config: TemporalOpsConfig) {
  const connection = await Connection.connect(
    temporalConnectionOptions(config.temporalAddress, config),
  );
  return connection;
}

async function withClient<T>(
  config: TemporalOpsConfig,
  identity: string,
  run: (client: Client) => Promise<T>,
): Promise<T> {
  const connection = await connect(config);
  try {
    const dataConverter = payloadDataConverter(config);
    const client = new Client({
      connection,
      namespace: config.temporalNamespace,
      identity,
      ...(dataConverter ? { dataConverter } : {}),
    });
    return await run(client);
  } finally {
    await connection.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'setup-search-attributes': {
      const config = loadConfig(temporalOpsSpec);
      const connection = await connect(config);
      try {
        print({
          namespace: config.temporalNamespace,
          ...(await ensureSagaSearchAttributes(connection, config.temporalNamespace)),
        });
      } finally {
        await connection.close();
      }
      return 0;
    }
    case 'replay-gate': {
      const config = loadConfig(replayGateSpec);
      const workflowBundle = await bundleSagaWorkflows(quietBundler);
      const result = await withClient(config, 'saga-replay-gate', (client) =>
        runReplayGate({
          client,
          workflowBundle,
          dataConverter: payloadDataConverter(config),
          sinceMs: config.replaySinceMs,
          limit: config.replayLimit,
          ...(config.replayFilter ? { filter: config.replayFilter } : {}),
        }),
      );
      print(result);
      return gateVerdict(result) ? 0 : 1;
    }
    case 'needs-attention':
    case 'retry-compensation':
    case 'cancel': {
      const config = loadConfig(operatorSpec);
      const operator = await authorizeOperator(config);
      return withClient(config, `operator:${operator.subject}`, async (client) => {
        if (command === 'needs-attention') print(await listNeedsAttention(client));
        else if (command === 'retry-compensation') {
          const [orderId, compensation] = args;
          if (!orderId || !compensation) throw new OperatorError('INVALID_ARGUMENT', USAGE);
          print(
            await retryCompensation(client, { orderId, compensation, operator: operator.subject }),
          );
        } else {
          const [orderId, ...reason] = args;
          if (!orderId) throw new OperatorError('INVALID_ARGUMENT', USAGE);
          await cancelSaga(client, {
            orderId,
            reason: reason.join(' '),
            operator: operator.subject,
          });
          print({ orderId, cancelRequested: true, operator: operator.subject });
        }
        return 0;
      });
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      return 2;
  }
}

const noop = () => undefined;
const quietBundler = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };

if (require.main === module) {
  // The SDK's own logs at WARN (the replay gate's workers would log every state change);
  // core's at ERROR (replaying a running saga's last task logs what the replayer cannot run).
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
  });
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (err instanceof ConfigError) {
        process.stderr.write(`${err.message}\n`);
        process.exit(2);
      }
      if (err instanceof OperatorError || err instanceof DomainError) {
        print({ refused: err.reason, message: err.message });
        process.exit(3);
      }
      process.stderr.write(
        `fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exit(1);
    },
  );
}
