export { intakeWorkflow } from './intake';
export { ticketWorkflow } from './ticket';
