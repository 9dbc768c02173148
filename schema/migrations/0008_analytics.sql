CREATE TABLE "step_visits" (
	"ticket_id" text NOT NULL,
	"seq" integer NOT NULL,
	"step" text NOT NULL,
	"step_kind" text NOT NULL,
	"sop_type" text NOT NULL,
	"sop_version" integer NOT NULL,
	"entered_at" timestamp with time zone NOT NULL,
	"left_at" timestamp with time zone,
	"left_by" text,
	"next_step" text,
	"decision" text,
	"breached" boolean NOT NULL,
	"escalated" boolean NOT NULL,
	"first_in_step" boolean NOT NULL,
	"first_in_version" boolean NOT NULL,
	CONSTRAINT "step_visits_ticket_id_seq_pk" PRIMARY KEY("ticket_id","seq")
);
--> statement-breakpoint
CREATE TABLE "ticket_metrics" (
	"ticket_id" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"sop_type" text NOT NULL,
	"sop_version" integer NOT NULL,
	"category" text NOT NULL,
	"skill_group" text NOT NULL,
	"channel" text NOT NULL,
	"region" text,
	"app_version" text,
	"status" text NOT NULL,
	"first_response_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"breaches" integer NOT NULL,
	"escalated" boolean NOT NULL,
	"reopens" integer NOT NULL,
	"rating" integer,
	"rating_low" boolean
);
--> statement-breakpoint
ALTER TABLE "ticket_events" ADD COLUMN "sop_type" text;--> statement-breakpoint
ALTER TABLE "ticket_events" ADD COLUMN "sop_version" integer;--> statement-breakpoint
ALTER TABLE "ticket_events" ADD COLUMN "step_kind" text;--> statement-breakpoint
CREATE INDEX "step_visits_sop_idx" ON "step_visits" USING btree ("sop_type","entered_at");--> statement-breakpoint
CREATE INDEX "ticket_metrics_created_idx" ON "ticket_metrics" USING btree ("created_at","ticket_id");--> statement-breakpoint
CREATE INDEX "ticket_metrics_type_created_idx" ON "ticket_metrics" USING btree ("sop_type","created_at");--> statement-breakpoint
CREATE INDEX "ticket_metrics_backlog_idx" ON "ticket_metrics" USING btree ("skill_group","status","sop_type","region","channel","app_version","category") WHERE "ticket_metrics"."status" <> 'closed';--> statement-breakpoint
-- Existing events: the SOP each ran under. Before a triage reroute the reroute's `from`, after it its `to`, without one the ticket's SOP.
UPDATE "ticket_events" e SET
  "sop_type" = coalesce(
    (SELECT r."data"->'from'->>'type' FROM "ticket_events" r WHERE r."ticket_id" = e."ticket_id" AND r."kind" = 'rerouted' AND r."seq" >= e."seq" ORDER BY r."seq" LIMIT 1),
    (SELECT r."data"->'to'->>'type' FROM "ticket_events" r WHERE r."ticket_id" = e."ticket_id" AND r."kind" = 'rerouted' AND r."seq" < e."seq" ORDER BY r."seq" DESC LIMIT 1),
    (SELECT t."sop_type" FROM "tickets" t WHERE t."id" = e."ticket_id")),
  "sop_version" = coalesce(
    (SELECT (r."data"->'from'->>'version')::int FROM "ticket_events" r WHERE r."ticket_id" = e."ticket_id" AND r."kind" = 'rerouted' AND r."seq" >= e."seq" ORDER BY r."seq" LIMIT 1),
    (SELECT (r."data"->'to'->>'version')::int FROM "ticket_events" r WHERE r."ticket_id" = e."ticket_id" AND r."kind" = 'rerouted' AND r."seq" < e."seq" ORDER BY r."seq" DESC LIMIT 1),
    (SELECT t."sop_version" FROM "tickets" t WHERE t."id" = e."ticket_id"));
--> statement-breakpoint
-- ... and the kind of their step, from the published document (the built-in hand-off steps by their id); events outside the steps keep null.
UPDATE "ticket_events" e SET "step_kind" = coalesce(v."document"->'steps'->e."step"->>'kind', CASE e."step" WHEN '$handoff' THEN 'human_task' WHEN '$handoff_close' THEN 'close' END)
FROM "sop_versions" v
WHERE v."type" = e."sop_type" AND v."version" = e."sop_version" AND e."kind" NOT IN ('created', 'rated', 'review_opened', 'review_closed', 'reopened');
--> statement-breakpoint
-- The one definition of step visits and per-ticket measures, recomputed for the given tickets (idempotent).
-- A visit starts with an `entered` event, a change of step or SOP, or the first step event after a close or reroute;
-- it is left when the next visit starts or with an event its step kind leaves with (completed, decided, signal, …).
CREATE OR REPLACE FUNCTION refresh_ticket_analytics(ids text[]) RETURNS void LANGUAGE sql AS $fn$
  DELETE FROM step_visits WHERE ticket_id = ANY(ids);
  INSERT INTO step_visits (ticket_id, seq, step, step_kind, sop_type, sop_version, entered_at, left_at, left_by, next_step, decision, breached, escalated, first_in_step, first_in_version)
  WITH ev AS (
    SELECT ticket_id, seq, step, kind, at, data, sop_type, sop_version, step_kind,
      lag(step) OVER w AS prev_step, lag(kind) OVER w AS prev_kind, lag(sop_type) OVER w AS prev_type, lag(sop_version) OVER w AS prev_version
    FROM ticket_events
    WHERE ticket_id = ANY(ids) AND step_kind IS NOT NULL AND sop_type IS NOT NULL AND sop_version IS NOT NULL
    WINDOW w AS (PARTITION BY ticket_id ORDER BY seq)
  ), numbered AS (
    SELECT *, count(*) FILTER (WHERE prev_step IS NULL OR kind = 'entered' OR step <> prev_step OR sop_type <> prev_type OR sop_version <> prev_version OR prev_kind IN ('archived', 'rerouted'))
      OVER (PARTITION BY ticket_id ORDER BY seq) AS visit
    FROM ev
  ), visits AS (
    SELECT ticket_id, min(seq) AS seq, min(step) AS step, min(step_kind) AS step_kind, min(sop_type) AS sop_type, min(sop_version) AS sop_version,
      min(at) AS entered_at, max(at) AS last_at,
      (array_agg(kind ORDER BY seq DESC))[1] AS last_kind,
      (array_agg(CASE WHEN kind = 'decided' THEN coalesce(data->>'decision', data->>'next') END ORDER BY seq DESC))[1] AS decision,
      bool_or(kind = 'sla_breached') AS breached, bool_or(kind = 'escalated') AS escalated
    FROM numbered GROUP BY ticket_id, visit
  ), ordered AS (
    SELECT *, lead(step) OVER t AS next_step,
      row_number() OVER (PARTITION BY ticket_id, sop_type, sop_version, step ORDER BY seq) = 1 AS first_in_step,
      row_number() OVER (PARTITION BY ticket_id, sop_type, sop_version ORDER BY seq) = 1 AS first_in_version
    FROM visits WINDOW t AS (PARTITION BY ticket_id ORDER BY seq)
  )
  SELECT ticket_id, seq, step, step_kind, sop_type, sop_version, entered_at,
    CASE WHEN left_now THEN last_at END, CASE WHEN left_now THEN last_kind END,
    next_step, decision, breached, escalated, first_in_step, first_in_version
  FROM (
    -- left: the next visit began, or the last event is one its step kind leaves with (the next step's first event may not be written yet)
    SELECT *, next_step IS NOT NULL OR last_kind IN ('completed', 'decided', 'signal', 'archived', 'rerouted')
      OR (step_kind = 'notify' AND last_kind = 'notified') OR (step_kind = 'escalate' AND last_kind = 'escalated')
      OR (step_kind = 'wait_signal' AND last_kind = 'sla_breached') AS left_now
    FROM ordered) o;
  INSERT INTO ticket_metrics (ticket_id, created_at, sop_type, sop_version, category, skill_group, channel, region, app_version, status, first_response_at, closed_at, breaches, escalated, reopens, rating, rating_low)
  SELECT t.id, t.created_at, t.sop_type, t.sop_version, t.category, t.skill_group, t.channel, t.region, t.app_version, t.status,
    m.first_response_at, m.closed_at, coalesce(m.breaches, 0), coalesce(m.escalated, false), coalesce(m.reopens, 0), m.rating, m.rating_low
  FROM tickets t LEFT JOIN LATERAL (
    SELECT
      min(at) FILTER (WHERE seq > 0 AND ((kind = 'notified' AND data->>'to' = 'user') OR (kind = 'entered' AND data->>'signal' = 'confirmation')
        OR (kind IN ('decided', 'info_requested') AND actor LIKE 'agent:%') OR kind = 'archived')) AS first_response_at,
      min(at) FILTER (WHERE kind = 'archived') AS closed_at,
      (count(*) FILTER (WHERE kind = 'sla_breached'))::int AS breaches,
      bool_or(kind = 'escalated') AS escalated,
      (count(*) FILTER (WHERE kind = 'reopened'))::int AS reopens,
      (array_agg((data->>'score')::int ORDER BY seq DESC) FILTER (WHERE kind = 'rated'))[1] AS rating,
      (array_agg(coalesce((data->>'low')::boolean, false) ORDER BY seq DESC) FILTER (WHERE kind = 'rated'))[1] AS rating_low
    FROM ticket_events WHERE ticket_id = t.id
  ) m ON true
  WHERE t.id = ANY(ids)
  ON CONFLICT (ticket_id) DO UPDATE SET sop_type = excluded.sop_type, sop_version = excluded.sop_version, category = excluded.category,
    skill_group = excluded.skill_group, channel = excluded.channel, region = excluded.region, app_version = excluded.app_version, status = excluded.status,
    first_response_at = excluded.first_response_at, closed_at = excluded.closed_at, breaches = excluded.breaches, escalated = excluded.escalated,
    reopens = excluded.reopens, rating = excluded.rating, rating_low = excluded.rating_low;
$fn$;
--> statement-breakpoint
SELECT refresh_ticket_analytics(array(SELECT "id" FROM "tickets"));
