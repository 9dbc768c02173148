// The pure SOP library: document types, the action catalog, durations, expressions, validation.
// Safe for workflow code and the browser designer. The Node-only loader of the defaults is sops/load.
export type * from './types';
export { FORBIDDEN_NAMES } from './types';
export { decisionDataError, schemaErrors, safeCopy, DATA_TYPES } from './decision-data';
export { ACTIONS, SIGNALS, SKILL_GROUPS, type ActionSpec } from './actions';
export { parseDuration, isValidDuration, durationError } from './duration';
export { evaluate, checkExpression, isTruthy, expressionPaths, renderTemplate, inspectTemplate, valueAt, ALLOWED_OPERATORS, TEMPLATE_FILTERS } from './expressions';
export { validateSop, STEP_KINDS, RESERVED_CONTEXT_KEYS, TICKET_FIELDS, COUNTER_FIELDS, type SopValidationResult } from './validate';
