-- back to 000002's views, then the column goes
DROP VIEW yuetan_district.issues;
DROP VIEW yuetan_city.issues;

CREATE VIEW yuetan_district.issues AS
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
           COALESCE(yuetan.pb_time(t.updated), '') AS updated
    FROM yuetan.issues t
    WHERE t.district = current_setting('yuetan.district');

CREATE VIEW yuetan_city.issues AS
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
           t.district AS district
    FROM yuetan.issues t;

DROP INDEX yuetan.issues_duplicate_of;
ALTER TABLE yuetan.issues DROP COLUMN duplicate_of;
