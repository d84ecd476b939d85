-- The log-in's two functions (migration 0007) plan their statements once per connection.
--
-- A PL/pgSQL statement with parameters gets a plan made for its values the first five times,
-- then the plan cache compares that cost with a generic plan's and keeps making plans for each
-- call while the generic one looks dearer. With index scans forced (0007) it always did: every
-- log-in planned each of their statements again, about a tenth of PostgreSQL's CPU per log-in
-- (`perf`: `GetCachedPlan` → `pg_plan_query`, 11 %; `/proc`: 1.56–1.64 ms against 1.73–1.85 ms
-- in alternating 10 s runs). Their statements look rows up by key, and the generic plan is the
-- same index scan whatever the values.
ALTER FUNCTION espace_pro_reserve SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION espace_pro_open_session SET plan_cache_mode = force_generic_plan;
--
-- CREATE OR REPLACE FUNCTION replaces these settings with its own: a later redefinition of
-- either function must repeat all three (index scans, generic plans); the API suite's
-- `the_log_in_functions_keep_their_plans_and_index_scans` checks them.
