/** One saga per order: the workflow id is derived from the order id (no imports: sandbox-safe). */
export const orderWorkflowId = (orderId: string): string => `order-${orderId}`;

/** The order id a saga workflow id carries (undefined for any other workflow id). */
export function orderIdOfWorkflowId(workflowId: string): string | undefined {
  return /^order-(.{1,64})$/.exec(workflowId)?.[1];
}
