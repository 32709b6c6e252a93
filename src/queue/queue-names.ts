/**
 * The BullMQ queues, by name. Here rather than with their producers so that whoever only watches a
 * queue (metrics, health, the dashboard) does not depend on the module that fills it.
 */
export const DELIVERY_QUEUE = 'delivery';
