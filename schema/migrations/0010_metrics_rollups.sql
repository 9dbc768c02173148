CREATE TABLE "funnel_daily" (
	"day" date NOT NULL,
	"sop_type" text NOT NULL,
	"sop_version" integer NOT NULL,
	"step" text NOT NULL,
	"step_kind" text NOT NULL,
	"left_by" text NOT NULL,
	"decision" text NOT NULL,
	"next_step" text NOT NULL,
	"visits" integer NOT NULL,
	"first_in_step" integer NOT NULL,
	"here" integer NOT NULL,
	"breaches" integer NOT NULL,
	"escalations" integer NOT NULL,
	"first_in_version" integer NOT NULL,
	"seq_sum" integer NOT NULL,
	CONSTRAINT "funnel_daily_sop_type_day_sop_version_step_step_kind_left_by_decision_next_step_pk" PRIMARY KEY("sop_type","day","sop_version","step","step_kind","left_by","decision","next_step")
);
--> statement-breakpoint
CREATE TABLE "funnel_daily_durations" (
	"day" date NOT NULL,
	"sop_type" text NOT NULL,
	"sop_version" integer NOT NULL,
	"step" text NOT NULL,
	"bucket" smallint NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "funnel_daily_durations_sop_type_day_sop_version_step_bucket_pk" PRIMARY KEY("sop_type","day","sop_version","step","bucket")
);
--> statement-breakpoint
CREATE TABLE "metrics_daily" (
	"day" date NOT NULL,
	"sop_type" text NOT NULL,
	"skill_group" text NOT NULL,
	"volume" integer NOT NULL,
	"closed" integer NOT NULL,
	"within_sla" integer NOT NULL,
	"escalated" integer NOT NULL,
	"reopened" integer NOT NULL,
	"rated" integer NOT NULL,
	"rating_sum" integer NOT NULL,
	"rated_low" integer NOT NULL,
	CONSTRAINT "metrics_daily_day_sop_type_skill_group_pk" PRIMARY KEY("day","sop_type","skill_group")
);
--> statement-breakpoint
CREATE TABLE "metrics_daily_durations" (
	"day" date NOT NULL,
	"sop_type" text NOT NULL,
	"skill_group" text NOT NULL,
	"measure" text NOT NULL,
	"bucket" smallint NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "metrics_daily_durations_day_sop_type_skill_group_measure_bucket_pk" PRIMARY KEY("day","sop_type","skill_group","measure","bucket")
);
--> statement-breakpoint
CREATE TABLE "metrics_daily_volume" (
	"day" date NOT NULL,
	"dimension" text NOT NULL,
	"value" text NOT NULL,
	"tickets" integer NOT NULL,
	CONSTRAINT "metrics_daily_volume_day_dimension_value_pk" PRIMARY KEY("day","dimension","value")
);
--> statement-breakpoint
-- Durations into log-spaced buckets, 8 per doubling: bucket b >= 1 holds [2^((b-1)/8), 2^(b/8)) milliseconds, bucket 0
-- anything under a millisecond. Read back as the bucket's geometric middle 2^((b-0.5)/8) ms (schema/duration-buckets.ts):
-- at most 2^(1/16) - 1 = 4.4 % from the true value (under a millisecond: at most a millisecond). About 300 buckets
-- reach 30 years; a day has at most a few dozen of them filled per step.
CREATE OR REPLACE FUNCTION duration_bucket(seconds float8) RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT CASE WHEN seconds IS NULL THEN NULL WHEN seconds < 0.001 THEN 0 ELSE (1 + floor(8 * ln(seconds * 1000) / ln(2)))::smallint END
$fn$;
--> statement-breakpoint
-- What one ticket adds to the metrics rollups (one definition: the rollups, their maintenance and the reports'
-- partial days at a range's edges all sum these columns).
CREATE OR REPLACE VIEW metrics_daily_source AS
SELECT ticket_id, created_at, (created_at AT TIME ZONE 'UTC')::date AS day, sop_type, skill_group, category, channel, region, app_version,
  1 AS volume, (closed_at IS NOT NULL)::int AS closed, (breaches = 0)::int AS within_sla, escalated::int AS escalated,
  (reopens > 0)::int AS reopened, (rating IS NOT NULL)::int AS rated, coalesce(rating, 0) AS rating_sum, coalesce(rating_low, false)::int AS rated_low,
  duration_bucket(extract(epoch FROM first_response_at - created_at)::float8) AS first_response_bucket,
  duration_bucket(extract(epoch FROM closed_at - created_at)::float8) AS handling_bucket
FROM ticket_metrics;
--> statement-breakpoint
-- What one step visit adds to the funnel rollups ('' for absent keys: the primary key needs values).
CREATE OR REPLACE VIEW funnel_daily_source AS
SELECT ticket_id, entered_at, (entered_at AT TIME ZONE 'UTC')::date AS day, sop_type, sop_version, step, step_kind,
  coalesce(left_by, '') AS left_by, coalesce(decision, '') AS decision, coalesce(next_step, '') AS next_step,
  1 AS visits, first_in_step::int AS first_in_step, (left_at IS NULL)::int AS here, breached::int AS breaches, escalated::int AS escalations,
  first_in_version::int AS first_in_version, seq AS seq_sum,
  duration_bucket(extract(epoch FROM left_at - entered_at)::float8) AS bucket
FROM step_visits;
--> statement-breakpoint
-- Adds the tickets' current contributions and subtracts `m_before` / `f_before` (their contributions before the
-- refresh, as JSON rows of the two views). The tickets are joined from unnest(ids), not `= ANY(ids)`: the rebuild
-- passes every ticket, and a scan testing each row against a million-element array never ends. Keys without a change
-- are not written (no lock on a hot day's row for an event that moves no figure); keys are written in order, table by
-- table, so concurrent refreshes cannot deadlock. PL/pgSQL, not SQL: its statements' plans are kept per session
-- (a SQL function plans its five statements on every call, which cost more than running them).
CREATE OR REPLACE FUNCTION apply_metrics_rollups(ids text[], m_before jsonb, f_before jsonb) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO metrics_daily AS r (day, sop_type, skill_group, volume, closed, within_sla, escalated, reopened, rated, rating_sum, rated_low)
  SELECT day, sop_type, skill_group, sum(sign * volume), sum(sign * closed), sum(sign * within_sla), sum(sign * escalated), sum(sign * reopened),
    sum(sign * rated), sum(sign * rating_sum), sum(sign * rated_low)
  FROM (SELECT 1 AS sign, s.* FROM unnest(ids) i(id) JOIN metrics_daily_source s ON s.ticket_id = i.id
        UNION ALL SELECT -1, b.* FROM jsonb_populate_recordset(NULL::metrics_daily_source, m_before) b) d
  GROUP BY 1, 2, 3
  HAVING sum(sign * volume) <> 0 OR sum(sign * closed) <> 0 OR sum(sign * within_sla) <> 0 OR sum(sign * escalated) <> 0 OR sum(sign * reopened) <> 0
    OR sum(sign * rated) <> 0 OR sum(sign * rating_sum) <> 0 OR sum(sign * rated_low) <> 0
  ORDER BY 1, 2, 3
  ON CONFLICT (day, sop_type, skill_group) DO UPDATE SET volume = r.volume + excluded.volume, closed = r.closed + excluded.closed,
    within_sla = r.within_sla + excluded.within_sla, escalated = r.escalated + excluded.escalated, reopened = r.reopened + excluded.reopened,
    rated = r.rated + excluded.rated, rating_sum = r.rating_sum + excluded.rating_sum, rated_low = r.rated_low + excluded.rated_low;
  INSERT INTO metrics_daily_durations AS r (day, sop_type, skill_group, measure, bucket, n)
  SELECT d.day, d.sop_type, d.skill_group, x.measure, x.bucket, sum(d.sign)
  FROM (SELECT 1 AS sign, s.* FROM unnest(ids) i(id) JOIN metrics_daily_source s ON s.ticket_id = i.id
        UNION ALL SELECT -1, b.* FROM jsonb_populate_recordset(NULL::metrics_daily_source, m_before) b) d
  CROSS JOIN LATERAL (VALUES ('first_response', d.first_response_bucket), ('handling', d.handling_bucket)) x(measure, bucket)
  WHERE x.bucket IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5 HAVING sum(d.sign) <> 0 ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (day, sop_type, skill_group, measure, bucket) DO UPDATE SET n = r.n + excluded.n;
  INSERT INTO metrics_daily_volume AS r (day, dimension, value, tickets)
  SELECT d.day, x.dimension, x.value, sum(d.sign)
  FROM (SELECT 1 AS sign, s.* FROM unnest(ids) i(id) JOIN metrics_daily_source s ON s.ticket_id = i.id
        UNION ALL SELECT -1, b.* FROM jsonb_populate_recordset(NULL::metrics_daily_source, m_before) b) d
  CROSS JOIN LATERAL (VALUES ('type', d.sop_type), ('group', d.skill_group), ('region', coalesce(d.region, '')), ('channel', d.channel),
    ('appVersion', coalesce(d.app_version, '')), ('category', d.category)) x(dimension, value)
  GROUP BY 1, 2, 3 HAVING sum(d.sign) <> 0 ORDER BY 1, 2, 3
  ON CONFLICT (day, dimension, value) DO UPDATE SET tickets = r.tickets + excluded.tickets;
  INSERT INTO funnel_daily AS r (day, sop_type, sop_version, step, step_kind, left_by, decision, next_step, visits, first_in_step, here, breaches, escalations, first_in_version, seq_sum)
  SELECT day, sop_type, sop_version, step, step_kind, left_by, decision, next_step, sum(sign * visits), sum(sign * first_in_step), sum(sign * here),
    sum(sign * breaches), sum(sign * escalations), sum(sign * first_in_version), sum(sign * seq_sum)
  FROM (SELECT 1 AS sign, s.* FROM unnest(ids) i(id) JOIN funnel_daily_source s ON s.ticket_id = i.id
        UNION ALL SELECT -1, b.* FROM jsonb_populate_recordset(NULL::funnel_daily_source, f_before) b) d
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
  HAVING sum(sign * visits) <> 0 OR sum(sign * first_in_step) <> 0 OR sum(sign * here) <> 0 OR sum(sign * breaches) <> 0
    OR sum(sign * escalations) <> 0 OR sum(sign * first_in_version) <> 0 OR sum(sign * seq_sum) <> 0
  ORDER BY 2, 1, 3, 4, 5, 6, 7, 8
  ON CONFLICT (sop_type, day, sop_version, step, step_kind, left_by, decision, next_step) DO UPDATE SET visits = r.visits + excluded.visits,
    first_in_step = r.first_in_step + excluded.first_in_step, here = r.here + excluded.here, breaches = r.breaches + excluded.breaches,
    escalations = r.escalations + excluded.escalations, first_in_version = r.first_in_version + excluded.first_in_version, seq_sum = r.seq_sum + excluded.seq_sum;
  INSERT INTO funnel_daily_durations AS r (day, sop_type, sop_version, step, bucket, n)
  SELECT day, sop_type, sop_version, step, bucket, sum(sign)
  FROM (SELECT 1 AS sign, s.* FROM unnest(ids) i(id) JOIN funnel_daily_source s ON s.ticket_id = i.id
        UNION ALL SELECT -1, b.* FROM jsonb_populate_recordset(NULL::funnel_daily_source, f_before) b) d
  WHERE bucket IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5 HAVING sum(sign) <> 0 ORDER BY 2, 1, 3, 4, 5
  ON CONFLICT (sop_type, day, sop_version, step, bucket) DO UPDATE SET n = r.n + excluded.n;
END
$fn$;
--> statement-breakpoint
-- The per-ticket recomputation keeps its definition (migration 0008, now under the name compute_ticket_analytics);
-- refresh_ticket_analytics, the store's one call, wraps it with the rollups' maintenance in the same transaction.
ALTER FUNCTION refresh_ticket_analytics(text[]) RENAME TO compute_ticket_analytics;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION refresh_ticket_analytics(ids text[]) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  m_before jsonb;
  f_before jsonb;
BEGIN
  SELECT coalesce(jsonb_agg(s), '[]') INTO m_before FROM metrics_daily_source s WHERE s.ticket_id = ANY(ids);
  SELECT coalesce(jsonb_agg(s), '[]') INTO f_before FROM funnel_daily_source s WHERE s.ticket_id = ANY(ids);
  PERFORM compute_ticket_analytics(ids);
  PERFORM apply_metrics_rollups(ids, m_before, f_before);
END
$fn$;
--> statement-breakpoint
-- From scratch (this migration, bulk loads, a check that the incremental rollups are right): the same sums over every ticket.
CREATE OR REPLACE FUNCTION rebuild_metrics_rollups() RETURNS void LANGUAGE sql AS $fn$
  DELETE FROM metrics_daily;
  DELETE FROM metrics_daily_durations;
  DELETE FROM metrics_daily_volume;
  DELETE FROM funnel_daily;
  DELETE FROM funnel_daily_durations;
  SELECT apply_metrics_rollups(array(SELECT ticket_id FROM ticket_metrics), '[]', '[]');
$fn$;
--> statement-breakpoint
SELECT rebuild_metrics_rollups();
