-- issues.duplicate_of: the original an issue repeats, which community
-- staff mark (the district's migration 1764000500_issue_duplicates); the
-- figures count a duplicate once, as its original. The views gain the
-- column last (CREATE OR REPLACE keeps the columns before it).
ALTER TABLE yuetan.issues ADD COLUMN duplicate_of text NOT NULL DEFAULT '';
CREATE INDEX issues_duplicate_of ON yuetan.issues (district, duplicate_of);

CREATE OR REPLACE VIEW yuetan_district.issues AS
    SELECT t.id AS id,
           t.community AS community,
           t.grid AS grid,
           t.kind AS kind,
           t.title AS title,
           t.description AS description,
           t.address AS address,
           t.location_lon AS location_lon,
           t.location_lat AS location_lat,
           COALESCE(t.resident_name, '') AS resident_name,
           COALESCE(t.resident_phone, '') AS resident_phone,
           t.source AS source,
           t.meeting AS meeting,
           t.collected_by AS collected_by,
           COALESCE(yuetan.pb_time(t.collected_at), '') AS collected_at,
           t.status AS status,
           t.application AS application,
           COALESCE(yuetan.pb_time(t.created), '') AS created,
           COALESCE(yuetan.pb_time(t.updated), '') AS updated,
           t.duplicate_of AS duplicate_of
    FROM yuetan.issues t
    WHERE t.district = current_setting('yuetan.district');

CREATE OR REPLACE VIEW yuetan_city.issues AS
    SELECT t.district || '/' || t.id AS id,
           CASE WHEN t.community = '' THEN '' ELSE t.district || '/' || t.community END AS community,
           t.grid AS grid,
           t.kind AS kind,
           t.title AS title,
           t.description AS description,
           t.address AS address,
           t.location_lon AS location_lon,
           t.location_lat AS location_lat,
           COALESCE(t.resident_name, '') AS resident_name,
           COALESCE(t.resident_phone, '') AS resident_phone,
           t.source AS source,
           CASE WHEN t.meeting = '' THEN '' ELSE t.district || '/' || t.meeting END AS meeting,
           CASE WHEN t.collected_by = '' THEN '' ELSE t.district || '/' || t.collected_by END AS collected_by,
           COALESCE(yuetan.pb_time(t.collected_at), '') AS collected_at,
           t.status AS status,
           CASE WHEN t.application = '' THEN '' ELSE t.district || '/' || t.application END AS application,
           COALESCE(yuetan.pb_time(t.created), '') AS created,
           COALESCE(yuetan.pb_time(t.updated), '') AS updated,
           t.district AS district,
           CASE WHEN t.duplicate_of = '' THEN '' ELSE t.district || '/' || t.duplicate_of END AS duplicate_of
    FROM yuetan.issues t;
