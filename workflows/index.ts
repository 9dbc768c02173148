export { intakeWorkflow } from './intake';
export { pagerWorkflow } from './pager';
export { ticketWorkflow } from './ticket';
export { reconcileWorkflow } from './reconcile';
export { anomalyWorkflow } from './anomaly';
