import { ApplicationFailure } from '@temporalio/activity';
import { ExternalSystemError } from '../integrations/http';

/** A 4xx from another system will not heal by retrying: fail the activity for good so the SOP can escalate. */
export function asActivityFailure(err: unknown): unknown {
  if (err instanceof ExternalSystemError && !err.retryable) {
    return ApplicationFailure.nonRetryable(err.message, `${err.system}_rejected`, { status: err.status, code: err.code });
  }
  return err;
}
