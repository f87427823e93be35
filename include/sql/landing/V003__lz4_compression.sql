-- Response bodies are compressed with lz4 instead of pglz: landing is about 1.4x faster and
-- no larger (bench/landing_write.py, BENCHMARKS.md). Applies to partitions that exist now;
-- landing.ensure_source_partition sets it on partitions created later.
alter table landing.raw_api_responses alter column response set compression lz4;
alter table landing.raw_api_responses alter column response_text set compression lz4;
alter table landing.raw_api_responses alter column response_raw set compression lz4;

-- SET COMPRESSION does not recurse into partitions.
do $$
declare
    part regclass;
begin
    for part in select inhrelid::regclass from pg_inherits
                where inhparent = 'landing.raw_api_responses'::regclass loop
        execute format(
            'alter table %s alter column response set compression lz4, '
            'alter column response_text set compression lz4, alter column response_raw set compression lz4',
            part
        );
    end loop;
end;
$$;

create or replace function landing.ensure_source_partition(p_source text) returns void
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
    execute format(
        'alter table landing.%I alter column response set compression lz4, '
        'alter column response_text set compression lz4, alter column response_raw set compression lz4',
        part
    );
end;
$$;
