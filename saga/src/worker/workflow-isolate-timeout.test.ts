import {
  HOOK_BASED_RUNTIME_ISOLATE_TIMEOUT_MS,
  SDK_DEFAULT_ISOLATE_TIMEOUT_MS,
  asyncContextFrameInUse,
  workflowIsolateTimeout,
} from './workflow-isolate-timeout';

test('AsyncContextFrame: default from Node 24, opt-in on 22, absent on 20, can be turned off', () => {
  expect(asyncContextFrameInUse('20.20.2', [])).toBe(false);
  expect(asyncContextFrameInUse('22.23.5', [])).toBe(false);
  expect(asyncContextFrameInUse('22.23.5', ['--experimental-async-context-frame'])).toBe(true);
  expect(asyncContextFrameInUse('24.22.3', [])).toBe(true);
  expect(asyncContextFrameInUse('26.12.1', [])).toBe(true);
  expect(asyncContextFrameInUse('26.12.1', ['--no-async-context-frame'])).toBe(false);
});

test('keeps the SDK deadlock detection where the watchdog is harmless, relaxes it elsewhere', () => {
  expect(workflowIsolateTimeout(undefined, true).ms).toBe(SDK_DEFAULT_ISOLATE_TIMEOUT_MS);
  expect(workflowIsolateTimeout(undefined, false).ms).toBe(HOOK_BASED_RUNTIME_ISOLATE_TIMEOUT_MS);
  // Longer than any pause the fault loop applies (5-6 s): a resumed worker is never cut off.
  expect(HOOK_BASED_RUNTIME_ISOLATE_TIMEOUT_MS).toBeGreaterThan(6_000);
  expect(workflowIsolateTimeout(12_000, false).ms).toBe(12_000);
});
