export { intakeWorkflow } from './intake';
export { ticketWorkflow } from './ticket';
export { reconcileWorkflow } from './reconcile';
