/**
 * Classification is CPU-bound: it runs on a task queue of its own, served by a worker with a
 * concurrency limit, so a flood of intakes cannot starve workflow tasks (timers, confirmations).
 */
export const classifyTaskQueue = (ticketTaskQueue: string) => `${ticketTaskQueue}-classify`;
