-- AlterTable
ALTER TABLE "Patient" ADD COLUMN "district" TEXT;

-- AlterTable
ALTER TABLE "QuestionnaireResponse" ADD COLUMN "questionnaireUrl" TEXT;

-- AlterTable
ALTER TABLE "Observation" ADD COLUMN "codeSystem" TEXT;


-- Backfill from the stored FHIR resources: the coding the row's code came from, the response's
-- questionnaire canonical, and the district of the address the row's city came from (home, else
-- the first not marked old, else the first).
UPDATE "Observation" SET "codeSystem" = (
  SELECT json_extract(c.value, '$.system') FROM json_each("Observation"."raw", '$.code.coding') AS c
  WHERE json_extract(c.value, '$.code') = "Observation"."code" ORDER BY (json_extract(c.value, '$.system') = 'http://loinc.org') DESC, c.key LIMIT 1
) WHERE json_valid("raw");

UPDATE "QuestionnaireResponse" SET "questionnaireUrl" = json_extract("raw", '$.questionnaire') WHERE json_valid("raw");

UPDATE "Patient" SET "district" = (
  SELECT json_extract(a.value, '$.district') FROM json_each("Patient"."raw", '$.address') AS a
  ORDER BY CASE WHEN json_extract(a.value, '$.use') = 'home' THEN 0 WHEN coalesce(json_extract(a.value, '$.use'), '') <> 'old' THEN 1 ELSE 2 END, a.key LIMIT 1
) WHERE json_valid("raw");
