-- AlterTable
ALTER TABLE "Patient" ADD COLUMN     "district" TEXT;

-- AlterTable
ALTER TABLE "QuestionnaireResponse" ADD COLUMN     "questionnaireUrl" TEXT;

-- AlterTable
ALTER TABLE "Observation" ADD COLUMN     "codeSystem" TEXT;


-- Backfill from the stored FHIR resources: the coding the row's code came from, the response's
-- questionnaire canonical, and the district of the address the row's city came from (home, else
-- the first not marked old, else the first).
UPDATE "Observation" AS o SET "codeSystem" = (
  SELECT c.value->>'system' FROM jsonb_array_elements(CASE WHEN jsonb_typeof(o."raw"->'code'->'coding') = 'array' THEN o."raw"->'code'->'coding' ELSE '[]'::jsonb END) WITH ORDINALITY AS c(value, n)
  WHERE c.value->>'code' = o."code" ORDER BY (c.value->>'system' = 'http://loinc.org') DESC, c.n LIMIT 1
);

UPDATE "QuestionnaireResponse" SET "questionnaireUrl" = "raw"->>'questionnaire';

UPDATE "Patient" AS p SET "district" = (
  SELECT a.value->>'district' FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p."raw"->'address') = 'array' THEN p."raw"->'address' ELSE '[]'::jsonb END) WITH ORDINALITY AS a(value, n)
  ORDER BY CASE WHEN a.value->>'use' = 'home' THEN 0 WHEN coalesce(a.value->>'use', '') <> 'old' THEN 1 ELSE 2 END, a.n LIMIT 1
);
