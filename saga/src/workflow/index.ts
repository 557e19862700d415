/** Every workflow the saga worker registers (its workflowsPath / bundle entry). */
export { OrderSaga } from './order-saga.workflow';
export { ReconcileOrphanOrders } from './reconcile-orders.workflow';
export { RetryCompensation } from './retry-compensation.workflow';
