-- A request of several units (a batch call) is sent only once the budget has room for all of
-- them, as the venues' token buckets require, not as soon as one unit fits (V002 let a batch
-- follow a burst at once and run into a 429).

create or replace function landing.rate_limit_reserve(
    p_keys text[], p_interval_s float8[], p_burst float8[], p_cost float8 default 1
)
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
        -- Room for the whole cost (capped at the burst: a bigger call waits for a full budget).
        v_at := greatest(v_at, v_tat - make_interval(secs => (p_burst[i] - least(p_cost, p_burst[i])) * p_interval_s[i]));
    end loop;
    for i in 1 .. array_length(p_keys, 1) loop
        update landing.rate_limit_state
           set tat = greatest(tat, v_at) + make_interval(secs => p_interval_s[i] * p_cost)
         where key = p_keys[i];
    end loop;
    return extract(epoch from (v_at - v_now));
end;
$$;
