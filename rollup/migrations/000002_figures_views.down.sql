DROP SCHEMA yuetan_city CASCADE;
DROP SCHEMA yuetan_district CASCADE;
DROP INDEX yuetan.feedback_city_application;
DROP INDEX yuetan.talks_city_application;
DROP FUNCTION yuetan.pb_time(timestamptz);
