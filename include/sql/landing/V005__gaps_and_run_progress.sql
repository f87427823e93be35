-- Gaps: ranges a walk could not reach (a venue's window or ceiling, a catch-up limit, a failing
-- page). A checkpoint never silently moves past one: the gap is recorded here, in the same
-- transaction as the page that found it, and later runs retry it until it is closed.
create table landing.sync_gaps (
    gap_id              bigint generated always as identity primary key,
    source              text        not null,
    resource            text        not null,
    scope               text        not null,
    -- The market the gap belongs to, when it is one market's: the hourly planner keeps such a
    -- market in its batches until the gap is filled, even after it left its live window.
    market_id           text,
    gap_from            timestamptz,
    gap_to              timestamptz,
    reason              text        not null,
    opened_at           timestamptz not null default now(),
    opened_run_id       text,
    -- How often a later run tried to fill it, and why the last try did not close it.
    attempts            integer     not null default 0,
    last_attempt_at     timestamptz,
    last_error          text,
    closed_at           timestamptz,
    closed_run_id       text,
    -- Set when a gap is known to be beyond any API's reach (kept open for the record).
    unreachable         boolean     not null default false
);

-- One open gap per range: a rerun that finds the same hole does not record it twice.
create unique index sync_gaps_open_uq
    on landing.sync_gaps (source, resource, scope, coalesce(gap_from, '-infinity'), coalesce(gap_to, 'infinity'))
    where closed_at is null;
create index sync_gaps_open_idx on landing.sync_gaps (source, resource) where closed_at is null;
create index sync_gaps_market_idx on landing.sync_gaps (source, market_id)
    where closed_at is null and not unreachable and market_id is not null;

-- Runs: counters an adapter reports (entities skipped, combo fills...), progress while running,
-- and 'abandoned' for runs whose process died (closed by the next run).
alter table landing.ingestion_runs
    add column counters jsonb not null default '{}'::jsonb,
    add column progress jsonb,
    add column heartbeat_at timestamptz,
    add column gaps_opened integer not null default 0;

alter table landing.ingestion_runs drop constraint ingestion_runs_outcome_check;
alter table landing.ingestion_runs add constraint ingestion_runs_outcome_check
    check (outcome in ('running', 'success', 'failed', 'partial', 'abandoned'));

-- A walk failing run after run from the same stored cursor restarts from a safe point after a
-- few runs instead of failing every hour for ever (the operator counts and resets these).
alter table landing.sync_state
    add column failed_runs integer not null default 0,
    add column last_error text;
