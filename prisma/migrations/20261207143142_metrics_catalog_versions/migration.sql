-- CreateTable
CREATE TABLE "MetricDefinition" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "metricId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "changedById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "MetricSnapshot" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "snapshotDate" TEXT NOT NULL,
    "metricId" TEXT NOT NULL,
    "metricVersion" INTEGER NOT NULL,
    "periodDate" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "locationId" TEXT NOT NULL DEFAULT '',
    "dimension" TEXT NOT NULL,
    "value" REAL,
    "suppressed" BOOLEAN NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "MetricSnapshotRun" (
    "snapshotDate" TEXT NOT NULL PRIMARY KEY,
    "metrics" INTEGER NOT NULL,
    "cells" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "MetricDefinition_metricId_version_key" ON "MetricDefinition"("metricId", "version");

-- CreateIndex
CREATE INDEX "MetricSnapshot_metricId_snapshotDate_idx" ON "MetricSnapshot"("metricId", "snapshotDate");

-- CreateIndex
CREATE UNIQUE INDEX "MetricSnapshot_snapshotDate_metricId_periodDate_organizationId_locationId_dimension_key" ON "MetricSnapshot"("snapshotDate", "metricId", "periodDate", "organizationId", "locationId", "dimension");


-- The metrics catalog as data: the metrics of the former metrics-catalog.json (and the programme's
-- rate metrics) as version 1 of each. Admins change them through /api/v1/admin/metrics.
INSERT INTO "MetricDefinition" ("id", "metricId", "version", "status", "definition") VALUES ('seed_provider_count_v1', 'provider_count', 1, 'active', '{"entity_keys":["organization"],"dimension_column":null,"organization_from":null,"source":"practitioners","time_column":null,"filters":[{"column":"active","op":"equals","value":true}],"suppress_small_counts":false,"grain":"day","description":"Active providers per organization on the as-of date.","unit":"count","expression":{"type":"count"}}');
INSERT INTO "MetricDefinition" ("id", "metricId", "version", "status", "definition") VALUES ('seed_patient_count_v1', 'patient_count', 1, 'active', '{"entity_keys":["organization"],"dimension_column":null,"organization_from":null,"source":"patients","time_column":null,"filters":[{"column":"active","op":"equals","value":true}],"suppress_small_counts":true,"grain":"day","description":"Active patients (clients) per organization on the as-of date.","unit":"count","expression":{"type":"count"}}');
INSERT INTO "MetricDefinition" ("id", "metricId", "version", "status", "definition") VALUES ('seed_active_providers_v1', 'active_providers', 1, 'active', '{"entity_keys":["organization"],"dimension_column":null,"organization_from":"practitioner","source":"questionnaire_responses","time_column":null,"filters":[{"column":"practitioner_active","op":"equals","value":true},{"column":"authored_at","op":"range","min":{"days_before_as_of":30},"max":{"days_before_as_of":0}}],"suppress_small_counts":false,"grain":"day","description":"Active providers with questionnaire submissions in the 30 days before the as-of date, per the provider''s organization.","unit":"count","expression":{"type":"count_distinct","column":"practitioner_id"}}');
INSERT INTO "MetricDefinition" ("id", "metricId", "version", "status", "definition") VALUES ('seed_percent_active_providers_v1', 'percent_active_providers', 1, 'active', '{"entity_keys":["organization"],"dimension_column":null,"organization_from":null,"source":null,"time_column":null,"filters":[],"suppress_small_counts":false,"grain":"day","description":"Share of active providers who submitted questionnaires in the past 30 days.","unit":"percent","expression":{"type":"ratio","numerator":"active_providers","denominator":"provider_count"}}');
INSERT INTO "MetricDefinition" ("id", "metricId", "version", "status", "definition") VALUES ('seed_client_encounters_v1', 'client_encounters', 1, 'active', '{"entity_keys":["organization"],"dimension_column":null,"organization_from":null,"source":"encounters","time_column":"start_at","filters":[],"suppress_small_counts":true,"description":"Unique clients seen per day.","unit":"count","grain":"day","expression":{"type":"count_distinct","column":"patient_id"}}');
INSERT INTO "MetricDefinition" ("id", "metricId", "version", "status", "definition") VALUES ('seed_encounters_by_delivery_format_v1', 'encounters_by_delivery_format', 1, 'active', '{"entity_keys":["organization","dimension"],"dimension_column":"delivery_format","organization_from":null,"source":"encounters","time_column":"start_at","filters":[],"suppress_small_counts":false,"description":"Encounters per month and delivery format (in-person, telehealth, phone, group).","unit":"count","grain":"month","expression":{"type":"count"}}');
INSERT INTO "MetricDefinition" ("id", "metricId", "version", "status", "definition") VALUES ('seed_phq9_severity_distribution_v1', 'phq9_severity_distribution', 1, 'active', '{"entity_keys":["organization","dimension"],"dimension_column":"severity","organization_from":null,"source":"questionnaire_responses","time_column":"authored_at","filters":[{"column":"questionnaire","op":"equals","value":"phq-9"},{"column":"severity","op":"not_null"}],"suppress_small_counts":true,"description":"Clients per PHQ-9 severity band, per month of response.","unit":"count","grain":"month","expression":{"type":"count_distinct","column":"patient_id"}}');
INSERT INTO "MetricDefinition" ("id", "metricId", "version", "status", "definition") VALUES ('seed_gad7_severity_distribution_v1', 'gad7_severity_distribution', 1, 'active', '{"entity_keys":["organization","dimension"],"dimension_column":"severity","organization_from":null,"source":"questionnaire_responses","time_column":"authored_at","filters":[{"column":"questionnaire","op":"equals","value":"gad-7"},{"column":"severity","op":"not_null"}],"suppress_small_counts":true,"description":"Clients per GAD-7 severity band, per month of response.","unit":"count","grain":"month","expression":{"type":"count_distinct","column":"patient_id"}}');
INSERT INTO "MetricDefinition" ("id", "metricId", "version", "status", "definition") VALUES ('seed_referral_eligible_clients_v1', 'referral_eligible_clients', 1, 'active', '{"entity_keys":["organization","dimension"],"dimension_column":"service","organization_from":null,"source":"care_plans","time_column":null,"filters":[{"column":"status","op":"in","values":["eligible","accepted","declined","completed"]}],"suppress_small_counts":true,"grain":"day","description":"Clients found eligible for each referral service (any outcome since).","unit":"count","expression":{"type":"count_distinct","column":"patient_id"}}');
INSERT INTO "MetricDefinition" ("id", "metricId", "version", "status", "definition") VALUES ('seed_referral_accepted_clients_v1', 'referral_accepted_clients', 1, 'active', '{"entity_keys":["organization","dimension"],"dimension_column":"service","organization_from":null,"source":"care_plans","time_column":null,"filters":[{"column":"status","op":"in","values":["accepted","completed"]}],"suppress_small_counts":true,"grain":"day","description":"Clients who accepted each referral service (accepted or completed).","unit":"count","expression":{"type":"count_distinct","column":"patient_id"}}');
INSERT INTO "MetricDefinition" ("id", "metricId", "version", "status", "definition") VALUES ('seed_referral_completed_clients_v1', 'referral_completed_clients', 1, 'active', '{"entity_keys":["organization","dimension"],"dimension_column":"service","organization_from":null,"source":"care_plans","time_column":null,"filters":[{"column":"status","op":"equals","value":"completed"}],"suppress_small_counts":true,"grain":"day","description":"Clients who completed each referral service.","unit":"count","expression":{"type":"count_distinct","column":"patient_id"}}');
INSERT INTO "MetricDefinition" ("id", "metricId", "version", "status", "definition") VALUES ('seed_referral_acceptance_rate_v1', 'referral_acceptance_rate', 1, 'active', '{"entity_keys":["organization","dimension"],"dimension_column":null,"organization_from":null,"source":null,"time_column":null,"filters":[],"suppress_small_counts":false,"grain":"day","description":"Referral patterns: share of eligible clients who accepted each service.","unit":"percent","expression":{"type":"ratio","numerator":"referral_accepted_clients","denominator":"referral_eligible_clients"}}');
INSERT INTO "MetricDefinition" ("id", "metricId", "version", "status", "definition") VALUES ('seed_follow_up_completion_rate_v1', 'follow_up_completion_rate', 1, 'active', '{"entity_keys":["organization","dimension"],"dimension_column":null,"organization_from":null,"source":null,"time_column":null,"filters":[],"suppress_small_counts":false,"grain":"day","description":"Follow-up completion: share of clients who accepted a referral service and completed it.","unit":"percent","expression":{"type":"ratio","numerator":"referral_completed_clients","denominator":"referral_accepted_clients"}}');
INSERT INTO "MetricDefinition" ("id", "metricId", "version", "status", "definition") VALUES ('seed_patients_by_state_v1', 'patients_by_state', 1, 'active', '{"entity_keys":["organization","dimension"],"dimension_column":"state","organization_from":null,"source":"patients","time_column":null,"filters":[{"column":"active","op":"equals","value":true}],"suppress_small_counts":true,"grain":"day","description":"Active patients per state of their home address.","unit":"count","expression":{"type":"count"}}');
INSERT INTO "MetricDefinition" ("id", "metricId", "version", "status", "definition") VALUES ('seed_oral_screened_patients_by_state_v1', 'oral_screened_patients_by_state', 1, 'active', '{"entity_keys":["organization","dimension"],"dimension_column":"patient_state","organization_from":null,"source":"questionnaire_responses","time_column":null,"filters":[{"column":"questionnaire","op":"equals","value":"oral-cancer-screening"},{"column":"patient_active","op":"equals","value":true}],"suppress_small_counts":true,"grain":"day","description":"Active patients with at least one oral-cancer screening, per state of their home address.","unit":"count","expression":{"type":"count_distinct","column":"patient_id"}}');
INSERT INTO "MetricDefinition" ("id", "metricId", "version", "status", "definition") VALUES ('seed_oral_screening_coverage_v1', 'oral_screening_coverage', 1, 'active', '{"entity_keys":["organization","dimension"],"dimension_column":null,"organization_from":null,"source":null,"time_column":null,"filters":[],"suppress_small_counts":false,"grain":"day","description":"Screening coverage by region: share of active patients of each state screened for oral cancer.","unit":"percent","expression":{"type":"ratio","numerator":"oral_screened_patients_by_state","denominator":"patients_by_state"}}');
