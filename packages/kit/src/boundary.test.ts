/**
 * The kit is the chassis, not a room: it knows no business flow. Its sources (tests and test
 * fixtures aside) name no saga or order concept and import no other meshcart package than the
 * contracts; inside it, server/ and client/ share only call/. Business ids reach it as declared correlations (telemetry/correlation.ts), step
 * metrics through the worker telemetry's onActivityEnd hook; the saga package owns both.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === '__fixtures__' ? [] : sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const FILES = [...sources(path.join(ROOT, 'src')), path.join(ROOT, 'testkit.ts')];
const CONCEPT =
  /\bsagas?\b|saga-worker|\border[ _-]?ids?\b|orderId|OrderService|PlaceOrder|[\^'`]order-/i;
const FOREIGN_IMPORT = /from '@meshcart\/(?!kit\b|proto\b)[^']*'/;

test('the scan sees the whole kit', () => {
  expect(FILES.length).toBeGreaterThan(50);
  expect(FILES.some((f) => f.endsWith(path.join('server', 'unary-call.ts')))).toBe(true);
});

test('no kit source names a saga or order concept', () => {
  const hits = FILES.flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .map((line, i) => ({ line, at: `${path.relative(ROOT, f)}:${i + 1}` }))
      .filter(({ line }) => CONCEPT.test(line))
      .map(({ line, at }) => `${at}: ${line.trim()}`),
  );
  expect(hits).toEqual([]);
});

test('the kit imports no other meshcart package than the contracts', () => {
  const hits = FILES.filter((f) => FOREIGN_IMPORT.test(readFileSync(f, 'utf8')));
  expect(hits.map((f) => path.relative(ROOT, f))).toEqual([]);
});

test('server/ and client/ never import each other: what they share is in call/', () => {
  const crossing = (from: string, to: string) =>
    FILES.filter((f) => f.includes(`${path.sep}${from}${path.sep}`)).filter((f) =>
      new RegExp(`from '\\.\\./${to}/`).test(readFileSync(f, 'utf8')),
    );
  expect([...crossing('server', 'client'), ...crossing('client', 'server')]).toEqual([]);
  expect(FILES.filter((f) => f.includes(`${path.sep}call${path.sep}`)).length).toBeGreaterThan(1);
});

test('the concept check would catch what the kit used to carry', () => {
  for (const line of [
    "import { sagaInstruments } from './saga-metrics';",
    'const orderId = orderIdOfWorkflowId(info.workflowId);',
    'bindings.order_id = id;',
    'const m = /^order-(.{1,64})$/.exec(workflowId);',
  ])
    expect(CONCEPT.test(line)).toBe(true);
  expect(CONCEPT.test('runs the named steps in order')).toBe(false);
});
