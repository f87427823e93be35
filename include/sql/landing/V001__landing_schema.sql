-- Landing schema: raw venue responses, exactly as received, plus extraction state.
-- Applied once by prediction_markets.landing.migrations (tracked in landing.schema_migrations).

create schema if not exists landing;

-- One row per HTTP response (or transport failure). Rows are never updated or deleted by ingestion.
create sequence landing.raw_api_responses_landing_id_seq as bigint;

create table landing.raw_api_responses (
    -- Monotonic in commit order (writers take landing.lock_landing_ids() before inserting):
    -- dbt incremental models use it as their cursor.
    landing_id          bigint      not null default nextval('landing.raw_api_responses_landing_id_seq'),
    request_id          uuid        not null,
    source              text        not null,
    resource            text        not null,
    scope               text,
    endpoint            text        not null,
    method              text        not null default 'GET',
    url                 text        not null,
    request_params      jsonb       not null default '{}'::jsonb,
    request_body        jsonb,
    attempt             smallint    not null default 1,
    status_code         integer,
    response_headers    jsonb,
    fetched_at          timestamptz not null,
    elapsed_ms          integer,
    data_interval_start timestamptz,
    data_interval_end   timestamptz,
    run_id              text,
    ingestion_run_id    bigint,
    response_sha256     text,
    response_bytes      integer,
    -- Parsed body; null when the body is not JSON. When a valid JSON body holds characters
    -- jsonb refuses (NUL, lone surrogates) they are replaced by U+FFFD here, is_sanitized is
    -- true, and the exact body is kept in response_text.
    response            jsonb,
    response_text       text,
    -- Bodies that are not valid UTF-8 cannot be text: kept byte for byte.
    response_raw        bytea,
    is_sanitized        boolean     not null default false,
    record_count        integer,
    error               text,
    primary key (request_id, source)
) partition by list (source);

alter sequence landing.raw_api_responses_landing_id_seq owned by landing.raw_api_responses.landing_id;

-- Venues get their own partition (landing.ensure_source_partition); the default catches the rest.
create table landing.raw_api_responses_default
    partition of landing.raw_api_responses default;

create index raw_api_responses_cursor_idx
    on landing.raw_api_responses (source, resource, landing_id);
create index raw_api_responses_landing_id_idx
    on landing.raw_api_responses (landing_id);
create index raw_api_responses_run_idx
    on landing.raw_api_responses (ingestion_run_id);

create function landing.ensure_source_partition(p_source text) returns void
language plpgsql as $$
declare
    part text := 'raw_api_responses_' || regexp_replace(lower(p_source), '[^a-z0-9_]', '_', 'g');
begin
    if to_regclass('landing.' || part) is not null then
        return;
    end if;
    -- A partition cannot be created while the default one holds rows of that source.
    if exists (select 1 from landing.raw_api_responses_default where source = p_source) then
        raise notice 'landing: rows of % are in the default partition; not splitting it', p_source;
        return;
    end if;
    execute format(
        'create table if not exists landing.%I partition of landing.raw_api_responses for values in (%L)',
        part, p_source
    );
end;
$$;

-- Serialises landing_id assignment with commit, so a reader never sees id N+1 before id N.
create function landing.lock_landing_ids() returns void
language sql as $$
    select pg_advisory_xact_lock(7311031, 1);
$$;

-- Checkpoints. cursor: the position of a walk in progress (resumed after a crash);
-- high_water_mark: newest data fully extracted (never moves backwards);
-- state: venue-specific memory between runs (e.g. the last keyset cursor).
create table landing.sync_state (
    source              text        not null,
    resource            text        not null,
    scope               text        not null,
    cursor              jsonb,
    high_water_mark     timestamptz,
    state               jsonb       not null default '{}'::jsonb,
    last_landing_id     bigint,
    last_run_id         text,
    updated_at          timestamptz not null default now(),
    primary key (source, resource, scope)
);

-- One row per operator run, for observability.
create table landing.ingestion_runs (
    ingestion_run_id    bigint generated always as identity primary key,
    source              text        not null,
    resources           text[]      not null,
    dag_id              text,
    task_id             text,
    run_id              text,
    map_index           integer,
    try_number          integer,
    data_interval_start timestamptz,
    data_interval_end   timestamptz,
    started_at          timestamptz not null default now(),
    finished_at         timestamptz,
    duration_s          double precision,
    scopes              integer     not null default 0,
    scopes_failed       integer     not null default 0,
    pages               integer     not null default 0,
    error_responses     integer     not null default 0,
    records             bigint      not null default 0,
    retries             integer     not null default 0,
    rate_limit_waits    integer     not null default 0,
    rate_limit_wait_s   double precision not null default 0,
    bytes               bigint      not null default 0,
    outcome             text        not null default 'running'
        check (outcome in ('running', 'success', 'failed', 'partial')),
    warnings            text[]      not null default '{}',
    error               text
);

-- What each venue lists (markets with the ids their child requests need), maintained from
-- the listing pages in the same transaction as the page: the planner batches per-market
-- work (trades, prices, books) from it without re-reading raw pages.
create table landing.market_catalog (
    source              text        not null,
    market_id           text        not null,
    event_id            text,
    keys                jsonb       not null default '{}'::jsonb,
    opened_at           timestamptz,
    closed_at           timestamptz,
    is_closed           boolean     not null default false,
    first_seen_at       timestamptz not null default now(),
    last_seen_at        timestamptz not null default now(),
    last_landing_id     bigint,
    primary key (source, market_id)
);

create index market_catalog_live_idx
    on landing.market_catalog (source, is_closed, closed_at);

-- Venue rate limits shared by every worker (GCRA: one theoretical arrival time per rule).
create table landing.rate_limit_state (
    key                 text        primary key,
    tat                 timestamptz not null
);

-- Reserve one request slot under every rule in p_keys; returns the seconds to wait before sending.
-- p_interval_s: seconds per request (period / limit); p_burst: requests allowed back to back.
create function landing.rate_limit_reserve(p_keys text[], p_interval_s float8[], p_burst float8[])
returns float8
language plpgsql as $$
declare
    v_now   timestamptz := clock_timestamp();
    v_at    timestamptz := v_now;
    v_tat   timestamptz;
    i       integer;
begin
    insert into landing.rate_limit_state (key, tat)
    select k, v_now from unnest(p_keys) as k
    on conflict (key) do nothing;
    -- Lock in key order so concurrent callers cannot deadlock.
    perform 1 from landing.rate_limit_state where key = any(p_keys) order by key for update;
    for i in 1 .. array_length(p_keys, 1) loop
        select tat into v_tat from landing.rate_limit_state where key = p_keys[i];
        v_at := greatest(v_at, v_tat - make_interval(secs => (p_burst[i] - 1) * p_interval_s[i]));
    end loop;
    for i in 1 .. array_length(p_keys, 1) loop
        update landing.rate_limit_state
           set tat = greatest(tat, v_at) + make_interval(secs => p_interval_s[i])
         where key = p_keys[i];
    end loop;
    return extract(epoch from (v_at - v_now));
end;
$$;

-- After a 429: nobody sends under these rules for p_seconds.
create function landing.rate_limit_pause(p_keys text[], p_seconds float8)
returns void
language sql as $$
    insert into landing.rate_limit_state (key, tat)
    select k, clock_timestamp() + make_interval(secs => p_seconds) from unnest(p_keys) as k
    on conflict (key) do update
        set tat = greatest(landing.rate_limit_state.tat, excluded.tat);
$$;
