-- The figures' views: the replicated tables in the shape of a district's
-- SQLite database (PocketBase's text timestamps, '' for empty), so stats'
-- own queries (the figures' one set of definitions) run on PostgreSQL
-- unchanged.
--   yuetan_district: one district, chosen per transaction with
--                    SET LOCAL yuetan.district = 'CODE' (unset: an error);
--   yuetan_city:     every district, ids and references prefixed with the
--                    district code ('CODE/id'), so joins never cross districts.
CREATE FUNCTION yuetan.pb_time(t timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS"Z"');

CREATE SCHEMA yuetan_district;
CREATE SCHEMA yuetan_city;

-- the city views' correlated look-ups (latest talk and feedback of a matter)
CREATE INDEX talks_city_application ON yuetan.talks ((district || '/' || application));
CREATE INDEX feedback_city_application ON yuetan.feedback ((district || '/' || application));

CREATE VIEW yuetan_district.orgs AS
    SELECT t.id AS id,
           t.name AS name,
           t.kind AS kind,
           t.parent AS parent,
           t.code AS code,
           COALESCE(yuetan.pb_time(t.created), '') AS created,
           COALESCE(yuetan.pb_time(t.updated), '') AS updated
    FROM yuetan.orgs t
    WHERE t.district = current_setting('yuetan.district');

CREATE VIEW yuetan_district.users AS
    SELECT t.id AS id,
           t.name AS name,
           t.role AS role,
           t.org AS org,
           t.title AS title,
           t.leader_rank AS leader_rank,
           COALESCE(t.phone, '') AS phone,
           COALESCE(yuetan.pb_time(t.created), '') AS created,
           COALESCE(yuetan.pb_time(t.updated), '') AS updated
    FROM yuetan.users t
    WHERE t.district = current_setting('yuetan.district');

CREATE VIEW yuetan_district.calendar_days AS
    SELECT t.id AS id,
           t.date AS date,
           t.workday AS workday,
           t.name AS name,
           t.source AS source,
           COALESCE(yuetan.pb_time(t.created), '') AS created,
           COALESCE(yuetan.pb_time(t.updated), '') AS updated
    FROM yuetan.calendar_days t
    WHERE t.district = current_setting('yuetan.district');

CREATE VIEW yuetan_district.meetings AS
    SELECT t.id AS id,
           t.community AS community,
           t.kind AS kind,
           COALESCE(yuetan.pb_time(t.held_on), '') AS held_on,
           t.attendees AS attendees,
           t.title AS title,
           t.notes AS notes,
           COALESCE(yuetan.pb_time(t.created), '') AS created,
           COALESCE(yuetan.pb_time(t.updated), '') AS updated
    FROM yuetan.meetings t
    WHERE t.district = current_setting('yuetan.district');

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

CREATE VIEW yuetan_district.applications AS
    SELECT t.id AS id,
           t.serial AS serial,
           t.serial_year AS serial_year,
           t.serial_no AS serial_no,
           t.community AS community,
           t.applicant_kind AS applicant_kind,
           COALESCE(t.contact_name, '') AS contact_name,
           COALESCE(t.contact_phone, '') AS contact_phone,
           t.subject AS subject,
           t.category AS category,
           t.description AS description,
           t.request AS request,
           t.affected_count AS affected_count,
           t.target_leader AS target_leader,
           t.talk_form AS talk_form,
           t.urgent AS urgent,
           t.litigation_or_petition AS litigation_or_petition,
           array_to_json(t.issues)::text AS issues,
           t.status AS status,
           t.street AS street,
           t.assigned_leader AS assigned_leader,
           t.handling_unit AS handling_unit,
           t.decision_note AS decision_note,
           COALESCE(yuetan.pb_time(t.review_due), '') AS review_due,
           COALESCE(yuetan.pb_time(t.notice_due), '') AS notice_due,
           COALESCE(yuetan.pb_time(t.schedule_due), '') AS schedule_due,
           COALESCE(yuetan.pb_time(t.handling_due), '') AS handling_due,
           t.postpone_reason AS postpone_reason,
           COALESCE(yuetan.pb_time(t.submitted_at), '') AS submitted_at,
           COALESCE(yuetan.pb_time(t.forwarded_at), '') AS forwarded_at,
           COALESCE(yuetan.pb_time(t.reviewed_at), '') AS reviewed_at,
           COALESCE(yuetan.pb_time(t.accepted_at), '') AS accepted_at,
           COALESCE(yuetan.pb_time(t.notified_at), '') AS notified_at,
           COALESCE(yuetan.pb_time(t.scheduled_at), '') AS scheduled_at,
           COALESCE(yuetan.pb_time(t.resolved_at), '') AS resolved_at,
           COALESCE(yuetan.pb_time(t.feedback_at), '') AS feedback_at,
           COALESCE(yuetan.pb_time(t.closed_at), '') AS closed_at,
           COALESCE(yuetan.pb_time(t.created), '') AS created,
           COALESCE(yuetan.pb_time(t.updated), '') AS updated
    FROM yuetan.applications t
    WHERE t.district = current_setting('yuetan.district');

CREATE VIEW yuetan_district.signatures AS
    SELECT t.id AS id,
           t.application AS application,
           COALESCE(t.name, '') AS name,
           COALESCE(t.address, '') AS address,
           COALESCE(t.phone, '') AS phone,
           COALESCE(yuetan.pb_time(t.signed_at), '') AS signed_at,
           t.collected_by AS collected_by,
           COALESCE(yuetan.pb_time(t.created), '') AS created,
           COALESCE(yuetan.pb_time(t.updated), '') AS updated
    FROM yuetan.signatures t
    WHERE t.district = current_setting('yuetan.district');

CREATE VIEW yuetan_district.talks AS
    SELECT t.id AS id,
           t.application AS application,
           t.leader AS leader,
           COALESCE(yuetan.pb_time(t.scheduled_at), '') AS scheduled_at,
           t.place AS place,
           t.form AS form,
           t.participants AS participants,
           t.record AS record,
           t.response AS response,
           t.outcome AS outcome,
           COALESCE(yuetan.pb_time(t.held_at), '') AS held_at,
           t.handling_unit AS handling_unit,
           t.responsible AS responsible,
           COALESCE(yuetan.pb_time(t.handling_due), '') AS handling_due,
           t.recorder AS recorder,
           COALESCE(yuetan.pb_time(t.created), '') AS created,
           COALESCE(yuetan.pb_time(t.updated), '') AS updated
    FROM yuetan.talks t
    WHERE t.district = current_setting('yuetan.district');

CREATE VIEW yuetan_district.feedback AS
    SELECT t.id AS id,
           t.application AS application,
           t.talk AS talk,
           t.unit AS unit,
           t.result AS result,
           t.measures AS measures,
           COALESCE(yuetan.pb_time(t.completed_on), '') AS completed_on,
           t.submitted_by AS submitted_by,
           t.leader_decision AS leader_decision,
           t.leader_comment AS leader_comment,
           COALESCE(yuetan.pb_time(t.decided_at), '') AS decided_at,
           COALESCE(yuetan.pb_time(t.replied_on), '') AS replied_on,
           t.satisfaction AS satisfaction,
           t.applicant_comment AS applicant_comment,
           COALESCE(yuetan.pb_time(t.created), '') AS created,
           COALESCE(yuetan.pb_time(t.updated), '') AS updated
    FROM yuetan.feedback t
    WHERE t.district = current_setting('yuetan.district');

CREATE VIEW yuetan_district.supervisions AS
    SELECT t.id AS id,
           t.application AS application,
           t.kind AS kind,
           t.note AS note,
           t.created_by AS created_by,
           t.deadline AS deadline,
           t.due_on AS due_on,
           COALESCE(yuetan.pb_time(t.created), '') AS created,
           COALESCE(yuetan.pb_time(t.updated), '') AS updated
    FROM yuetan.supervisions t
    WHERE t.district = current_setting('yuetan.district');

CREATE VIEW yuetan_district.events AS
    SELECT t.id AS id,
           t.application AS application,
           t.record_collection AS record_collection,
           t.record_id AS record_id,
           t.actor AS actor,
           t.actor_name AS actor_name,
           t.action AS action,
           t.from_status AS from_status,
           t.to_status AS to_status,
           t.note AS note,
           COALESCE(yuetan.pb_time(t.created), '') AS created,
           COALESCE(yuetan.pb_time(t.updated), '') AS updated
    FROM yuetan.events t
    WHERE t.district = current_setting('yuetan.district');

CREATE VIEW yuetan_city.orgs AS
    SELECT t.district || '/' || t.id AS id,
           t.name AS name,
           t.kind AS kind,
           CASE WHEN t.parent = '' THEN '' ELSE t.district || '/' || t.parent END AS parent,
           t.code AS code,
           COALESCE(yuetan.pb_time(t.created), '') AS created,
           COALESCE(yuetan.pb_time(t.updated), '') AS updated,
           t.district AS district
    FROM yuetan.orgs t;

CREATE VIEW yuetan_city.users AS
    SELECT t.district || '/' || t.id AS id,
           t.name AS name,
           t.role AS role,
           CASE WHEN t.org = '' THEN '' ELSE t.district || '/' || t.org END AS org,
           t.title AS title,
           t.leader_rank AS leader_rank,
           COALESCE(t.phone, '') AS phone,
           COALESCE(yuetan.pb_time(t.created), '') AS created,
           COALESCE(yuetan.pb_time(t.updated), '') AS updated,
           t.district AS district
    FROM yuetan.users t;

CREATE VIEW yuetan_city.calendar_days AS
    SELECT t.district || '/' || t.id AS id,
           t.date AS date,
           t.workday AS workday,
           t.name AS name,
           t.source AS source,
           COALESCE(yuetan.pb_time(t.created), '') AS created,
           COALESCE(yuetan.pb_time(t.updated), '') AS updated,
           t.district AS district
    FROM yuetan.calendar_days t;

CREATE VIEW yuetan_city.meetings AS
    SELECT t.district || '/' || t.id AS id,
           CASE WHEN t.community = '' THEN '' ELSE t.district || '/' || t.community END AS community,
           t.kind AS kind,
           COALESCE(yuetan.pb_time(t.held_on), '') AS held_on,
           t.attendees AS attendees,
           t.title AS title,
           t.notes AS notes,
           COALESCE(yuetan.pb_time(t.created), '') AS created,
           COALESCE(yuetan.pb_time(t.updated), '') AS updated,
           t.district AS district
    FROM yuetan.meetings t;

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

CREATE VIEW yuetan_city.applications AS
    SELECT t.district || '/' || t.id AS id,
           t.serial AS serial,
           t.serial_year AS serial_year,
           t.serial_no AS serial_no,
           CASE WHEN t.community = '' THEN '' ELSE t.district || '/' || t.community END AS community,
           t.applicant_kind AS applicant_kind,
           COALESCE(t.contact_name, '') AS contact_name,
           COALESCE(t.contact_phone, '') AS contact_phone,
           t.subject AS subject,
           t.category AS category,
           t.description AS description,
           t.request AS request,
           t.affected_count AS affected_count,
           CASE WHEN t.target_leader = '' THEN '' ELSE t.district || '/' || t.target_leader END AS target_leader,
           t.talk_form AS talk_form,
           t.urgent AS urgent,
           t.litigation_or_petition AS litigation_or_petition,
           array_to_json(ARRAY(SELECT t.district || '/' || x FROM unnest(t.issues) AS x))::text AS issues,
           t.status AS status,
           CASE WHEN t.street = '' THEN '' ELSE t.district || '/' || t.street END AS street,
           CASE WHEN t.assigned_leader = '' THEN '' ELSE t.district || '/' || t.assigned_leader END AS assigned_leader,
           CASE WHEN t.handling_unit = '' THEN '' ELSE t.district || '/' || t.handling_unit END AS handling_unit,
           t.decision_note AS decision_note,
           COALESCE(yuetan.pb_time(t.review_due), '') AS review_due,
           COALESCE(yuetan.pb_time(t.notice_due), '') AS notice_due,
           COALESCE(yuetan.pb_time(t.schedule_due), '') AS schedule_due,
           COALESCE(yuetan.pb_time(t.handling_due), '') AS handling_due,
           t.postpone_reason AS postpone_reason,
           COALESCE(yuetan.pb_time(t.submitted_at), '') AS submitted_at,
           COALESCE(yuetan.pb_time(t.forwarded_at), '') AS forwarded_at,
           COALESCE(yuetan.pb_time(t.reviewed_at), '') AS reviewed_at,
           COALESCE(yuetan.pb_time(t.accepted_at), '') AS accepted_at,
           COALESCE(yuetan.pb_time(t.notified_at), '') AS notified_at,
           COALESCE(yuetan.pb_time(t.scheduled_at), '') AS scheduled_at,
           COALESCE(yuetan.pb_time(t.resolved_at), '') AS resolved_at,
           COALESCE(yuetan.pb_time(t.feedback_at), '') AS feedback_at,
           COALESCE(yuetan.pb_time(t.closed_at), '') AS closed_at,
           COALESCE(yuetan.pb_time(t.created), '') AS created,
           COALESCE(yuetan.pb_time(t.updated), '') AS updated,
           t.district AS district
    FROM yuetan.applications t;

CREATE VIEW yuetan_city.signatures AS
    SELECT t.district || '/' || t.id AS id,
           CASE WHEN t.application = '' THEN '' ELSE t.district || '/' || t.application END AS application,
           COALESCE(t.name, '') AS name,
           COALESCE(t.address, '') AS address,
           COALESCE(t.phone, '') AS phone,
           COALESCE(yuetan.pb_time(t.signed_at), '') AS signed_at,
           CASE WHEN t.collected_by = '' THEN '' ELSE t.district || '/' || t.collected_by END AS collected_by,
           COALESCE(yuetan.pb_time(t.created), '') AS created,
           COALESCE(yuetan.pb_time(t.updated), '') AS updated,
           t.district AS district
    FROM yuetan.signatures t;

CREATE VIEW yuetan_city.talks AS
    SELECT t.district || '/' || t.id AS id,
           t.district || '/' || t.application AS application,
           CASE WHEN t.leader = '' THEN '' ELSE t.district || '/' || t.leader END AS leader,
           COALESCE(yuetan.pb_time(t.scheduled_at), '') AS scheduled_at,
           t.place AS place,
           t.form AS form,
           t.participants AS participants,
           t.record AS record,
           t.response AS response,
           t.outcome AS outcome,
           COALESCE(yuetan.pb_time(t.held_at), '') AS held_at,
           CASE WHEN t.handling_unit = '' THEN '' ELSE t.district || '/' || t.handling_unit END AS handling_unit,
           CASE WHEN t.responsible = '' THEN '' ELSE t.district || '/' || t.responsible END AS responsible,
           COALESCE(yuetan.pb_time(t.handling_due), '') AS handling_due,
           t.recorder AS recorder,
           COALESCE(yuetan.pb_time(t.created), '') AS created,
           COALESCE(yuetan.pb_time(t.updated), '') AS updated,
           t.district AS district
    FROM yuetan.talks t;

CREATE VIEW yuetan_city.feedback AS
    SELECT t.district || '/' || t.id AS id,
           t.district || '/' || t.application AS application,
           CASE WHEN t.talk = '' THEN '' ELSE t.district || '/' || t.talk END AS talk,
           CASE WHEN t.unit = '' THEN '' ELSE t.district || '/' || t.unit END AS unit,
           t.result AS result,
           t.measures AS measures,
           COALESCE(yuetan.pb_time(t.completed_on), '') AS completed_on,
           CASE WHEN t.submitted_by = '' THEN '' ELSE t.district || '/' || t.submitted_by END AS submitted_by,
           t.leader_decision AS leader_decision,
           t.leader_comment AS leader_comment,
           COALESCE(yuetan.pb_time(t.decided_at), '') AS decided_at,
           COALESCE(yuetan.pb_time(t.replied_on), '') AS replied_on,
           t.satisfaction AS satisfaction,
           t.applicant_comment AS applicant_comment,
           COALESCE(yuetan.pb_time(t.created), '') AS created,
           COALESCE(yuetan.pb_time(t.updated), '') AS updated,
           t.district AS district
    FROM yuetan.feedback t;

CREATE VIEW yuetan_city.supervisions AS
    SELECT t.district || '/' || t.id AS id,
           CASE WHEN t.application = '' THEN '' ELSE t.district || '/' || t.application END AS application,
           t.kind AS kind,
           t.note AS note,
           CASE WHEN t.created_by = '' THEN '' ELSE t.district || '/' || t.created_by END AS created_by,
           t.deadline AS deadline,
           t.due_on AS due_on,
           COALESCE(yuetan.pb_time(t.created), '') AS created,
           COALESCE(yuetan.pb_time(t.updated), '') AS updated,
           t.district AS district
    FROM yuetan.supervisions t;

CREATE VIEW yuetan_city.events AS
    SELECT t.district || '/' || t.id AS id,
           CASE WHEN t.application = '' THEN '' ELSE t.district || '/' || t.application END AS application,
           t.record_collection AS record_collection,
           t.record_id AS record_id,
           CASE WHEN t.actor = '' THEN '' ELSE t.district || '/' || t.actor END AS actor,
           t.actor_name AS actor_name,
           t.action AS action,
           t.from_status AS from_status,
           t.to_status AS to_status,
           t.note AS note,
           COALESCE(yuetan.pb_time(t.created), '') AS created,
           COALESCE(yuetan.pb_time(t.updated), '') AS updated,
           t.district AS district
    FROM yuetan.events t;
