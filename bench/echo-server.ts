/**
 * The floor for the gRPC hop benchmark: a bare grpc-js server (no kit wrapper, no auth, no
 * database, default server options) serving the *generated* CatalogService.GetProduct and
 * InventoryService.GetStock definitions. Each answers a constant message: the exact bytes the
 * real service returned for the benchmark's sku (given base64-encoded in
 * BENCH_ECHO_GET_PRODUCT_B64 / BENCH_ECHO_GET_STOCK_B64), decoded once at startup, so every
 * call pays the same protobuf encoding and the same response size as the real service, and
 * nothing else.
 *
 * Usage: node --require tsx/cjs bench/echo-server.ts  (env BENCH_ECHO_PORT, 0 = any free port)
 * Prints `echo-server listening <port>` once bound; stops on SIGTERM/SIGINT.
 */
import { Server, ServerCredentials, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { CatalogServiceService, GetProductResponse } from '@meshcart/proto/shop/catalog/v1/catalog';
import {
  GetStockResponse,
  InventoryServiceService,
} from '@meshcart/proto/shop/inventory/v1/inventory';

const decode = <T>(name: string, fn: (b: Uint8Array) => T): T => {
  const raw = process.env[name];
  if (!raw) throw new Error(`${name} is required (base64 of the response message)`);
  return fn(Buffer.from(raw, 'base64'));
};

const product = decode('BENCH_ECHO_GET_PRODUCT_B64', (b) => GetProductResponse.decode(b));
const stock = decode('BENCH_ECHO_GET_STOCK_B64', (b) => GetStockResponse.decode(b));

const server = new Server();
const catalogImpl: UntypedServiceImplementation = {
  getProduct: (_call: unknown, cb: (err: null, res: GetProductResponse) => void) =>
    cb(null, product),
};
const inventoryImpl: UntypedServiceImplementation = {
  getStock: (_call: unknown, cb: (err: null, res: GetStockResponse) => void) => cb(null, stock),
};
// Only the two benchmarked methods are implemented; grpc-js answers UNIMPLEMENTED for the rest.
server.addService({ getProduct: CatalogServiceService.getProduct }, catalogImpl);
server.addService({ getStock: InventoryServiceService.getStock }, inventoryImpl);

const port = Number(process.env.BENCH_ECHO_PORT ?? 0);
server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (err, bound) => {
  if (err) {
    process.stderr.write(`echo-server: ${err.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`echo-server listening ${bound}\n`);
});

const stop = () => server.tryShutdown(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
