CREATE TABLE "sop_versions" (
	"type" text NOT NULL,
	"version" integer NOT NULL,
	"document" jsonb NOT NULL,
	"published_by" text NOT NULL,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sop_versions_type_version_pk" PRIMARY KEY("type","version")
);
