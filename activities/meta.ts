/** What the SOP interpreter passes to every action besides its inputs. */
export interface ActionMeta {
  ticketId: string;
  stepId: string;
  /** how many times the ticket has entered this step (loops, reopenings) */
  visit: number;
  /** ticket + step + visit: the same on every retry and replay, different on a new pass */
  idempotencyKey: string;
}
