// Per-day pre-aggregates of the analytics read models (issue 21), so reports over long ranges sum a few
// thousand rows instead of sorting a row per ticket. Maintained only by refresh_ticket_analytics (migration
// metrics_rollups): in the transaction of every refresh it adds the refreshed tickets' new contributions and
// subtracts their old ones, so a recomputation of the same events changes nothing and the rollups always equal
// a rebuild from scratch (rebuild_metrics_rollups()). Days are UTC days of the ticket's creation (metrics) or of
// the visit's entry (funnel). Durations are kept as counts per log-spaced bucket (duration_bucket() in SQL,
// bucketSeconds() in schema/duration-buckets.ts): medians and p90 over such ranges are approximate, counts exact.
import { integer, pgTable, primaryKey, smallint, text, date } from 'drizzle-orm/pg-core';

const day = () => date('day', { mode: 'string' }).notNull();

/** counts and sums behind the overview, per day, SOP type and skill group (the ticket's current ones) */
export const metricsDaily = pgTable(
  'metrics_daily',
  {
    day: day(),
    sopType: text('sop_type').notNull(),
    skillGroup: text('skill_group').notNull(),
    volume: integer('volume').notNull(),
    closed: integer('closed').notNull(),
    withinSla: integer('within_sla').notNull(),
    escalated: integer('escalated').notNull(),
    reopened: integer('reopened').notNull(),
    rated: integer('rated').notNull(),
    ratingSum: integer('rating_sum').notNull(),
    ratedLow: integer('rated_low').notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.sopType, t.skillGroup] })],
);

/** tickets per duration bucket: measure = first_response | handling */
export const metricsDailyDurations = pgTable(
  'metrics_daily_durations',
  {
    day: day(),
    sopType: text('sop_type').notNull(),
    skillGroup: text('skill_group').notNull(),
    measure: text('measure').notNull(),
    bucket: smallint('bucket').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.sopType, t.skillGroup, t.measure, t.bucket] })],
);

/** tickets per day and value of each dimension (type, group, region, channel, app_version, category; '' = none): the time series */
export const metricsDailyVolume = pgTable(
  'metrics_daily_volume',
  {
    day: day(),
    dimension: text('dimension').notNull(),
    value: text('value').notNull(),
    tickets: integer('tickets').notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.dimension, t.value] })],
);

/** step visits per day, SOP version, step and how they ended ('' = still in the step / no decision / no next step) */
export const funnelDaily = pgTable(
  'funnel_daily',
  {
    day: day(),
    sopType: text('sop_type').notNull(),
    sopVersion: integer('sop_version').notNull(),
    step: text('step').notNull(),
    stepKind: text('step_kind').notNull(),
    leftBy: text('left_by').notNull(),
    decision: text('decision').notNull(),
    nextStep: text('next_step').notNull(),
    visits: integer('visits').notNull(),
    firstInStep: integer('first_in_step').notNull(),
    here: integer('here').notNull(),
    breaches: integer('breaches').notNull(),
    escalations: integer('escalations').notNull(),
    firstInVersion: integer('first_in_version').notNull(),
    /** sum of the visits' seq: the step's average position orders the funnel */
    seqSum: integer('seq_sum').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sopType, t.day, t.sopVersion, t.step, t.stepKind, t.leftBy, t.decision, t.nextStep] })],
);

/** left visits per duration bucket of their time in the step */
export const funnelDailyDurations = pgTable(
  'funnel_daily_durations',
  {
    day: day(),
    sopType: text('sop_type').notNull(),
    sopVersion: integer('sop_version').notNull(),
    step: text('step').notNull(),
    bucket: smallint('bucket').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sopType, t.day, t.sopVersion, t.step, t.bucket] })],
);
