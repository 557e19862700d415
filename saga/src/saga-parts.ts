/**
 * @meshcart/saga/saga-parts: the saga's building blocks a look-alike workflow reuses (the
 * benchmark's no-op saga runs the same activity options, defaults and progress log, so it costs
 * Temporal what the real saga does). Workflow-sandbox safe: no I/O, no Node built-ins.
 */
export { DEFAULT_SAGA_OPTIONS } from './contract/defaults';
export {
  beforeAuthorization,
  beforeCapture,
  localSettings,
  withBudget,
} from './workflow/activity-options';
export { ProgressLog } from './workflow/saga-support';
export type { SagaActivities, SagaLocalActivities } from './activities/types';
