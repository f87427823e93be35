"""Landing schema and writer against the real Postgres."""

import hashlib
import shutil
import threading
from datetime import datetime, timedelta, timezone

import pytest

from prediction_markets.adapters.base import CatalogEntry, Interval, Request, Response
from prediction_markets.landing.body import parse_json_body
from prediction_markets.landing.migrations import MigrationError, apply_migrations, discover, include_dir
from prediction_markets.landing.writer import Checkpoint, LandingWriter, Page, RunInfo

UTC = timezone.utc
INTERVAL = Interval(datetime(2026, 8, 6, 10, tzinfo=UTC), datetime(2026, 8, 6, 11, tzinfo=UTC))
REQUEST = Request("markets", "polymarket_gamma", "/markets", (("closed", "true"), ("condition_ids", "a"), ("condition_ids", "b")))


def response(body: bytes, status=200, headers=None):
    data, error = parse_json_body(body)
    return Response(status=status, body=body, data=data, error=error, headers=headers or {},
                    url="http://sim/markets?closed=true")


@pytest.fixture
def writer(landing):
    w = LandingWriter(landing.db.connect(), RunInfo("polymarket", ["markets"], INTERVAL, run_id="r1"))
    w.start_run()
    yield w
    w.conn.close()


def test_migrations_are_idempotent_and_refuse_edited_files(warehouse, tmp_path):
    conn = warehouse.db.connect()
    assert apply_migrations(conn) == []
    assert warehouse.value("select count(*) from landing.schema_migrations") == len(discover())
    edited = tmp_path / "landing"
    shutil.copytree(include_dir() / "sql" / "landing", edited)
    first = sorted(edited.iterdir())[0]
    first.write_text(first.read_text() + "\n-- edited\n")
    with pytest.raises(MigrationError, match="changed after it was applied"):
        apply_migrations(conn, edited)
    conn.close()


def test_landed_json_page_keeps_request_and_body(writer, landing):
    body = b'[{"id": "1", "conditionId": "0xA"}]'
    landing_id = writer.land(Page(REQUEST, response(body, headers={"content-type": "application/json", "set-cookie": "x"}),
                                  "left_open", records=1))
    row = landing.rows(
        "select source, resource, scope, endpoint, request_params, status_code, response, response_text, "
        "error, record_count, response_sha256, response_headers, data_interval_start, run_id "
        "from landing.raw_api_responses where landing_id = %s", (landing_id,))[0]
    assert row[:4] == ("polymarket", "markets", "left_open", "/markets")
    assert row[4] == {"closed": "true", "condition_ids": ["a", "b"]}
    assert row[5] == 200 and row[6] == [{"id": "1", "conditionId": "0xA"}]
    assert row[7] is None and row[8] is None and row[9] == 1
    assert row[10] == hashlib.sha256(body).hexdigest()
    assert row[11] == {"content-type": "application/json"}  # only kept headers; no cookies
    assert row[12] == INTERVAL.start and row[13] == "r1"
    assert landing.value("select tableoid::regclass::text from landing.raw_api_responses where landing_id = %s",
                         (landing_id,)) == "landing.raw_api_responses_polymarket"


def test_venue_partitions_compress_bodies_with_lz4(writer, landing):
    rows = landing.rows(
        "select attrelid::regclass::text, attname, attcompression from pg_attribute "
        "where attrelid = 'landing.raw_api_responses_polymarket'::regclass "
        "and attname in ('response', 'response_text', 'response_raw')")
    assert len(rows) == 3 and all(r[2] == "l" for r in rows)


def test_nul_in_one_description_does_not_hide_the_page(writer, landing):
    body = b'{"markets": [{"id": "1", "description": "a\\u0000b"}, {"id": "2", "description": "ok"}]}'
    landing_id = writer.land(Page(REQUEST, response(body), "open"))
    stored, text, sanitized, error = landing.rows(
        "select response, response_text, is_sanitized, error from landing.raw_api_responses where landing_id = %s",
        (landing_id,))[0]
    assert [m["id"] for m in stored["markets"]] == ["1", "2"]
    assert stored["markets"][0]["description"] == "a\ufffdb"
    assert text.encode() == body and sanitized is True and error is None


def test_non_json_and_non_utf8_bodies_are_kept_with_the_reason(writer, landing):
    html = b"<!DOCTYPE html><title>Attention Required! | Cloudflare</title>"
    a = writer.land(Page(REQUEST, response(html, status=403, headers={"content-type": "text/html"}), "open"))
    b = writer.land(Page(REQUEST, response(b'{"markets": [tru'), "open"))
    c = writer.land(Page(REQUEST, response(b"\xff\xfe\x00garbage"), "open"))
    rows = {r[0]: r[1:] for r in landing.rows(
        "select landing_id, status_code, response, response_text, response_raw, error "
        "from landing.raw_api_responses order by landing_id")}
    assert rows[a][0] == 403 and rows[a][1] is None and rows[a][2] == html.decode() and "invalid JSON" in rows[a][4]
    assert rows[b][1] is None and rows[b][2] == '{"markets": [tru' and "invalid JSON" in rows[b][4]
    assert rows[c][2] is None and bytes(rows[c][3]) == b"\xff\xfe\x00garbage" and "not valid UTF-8" in rows[c][4]


def test_transport_failure_is_landed(writer, landing):
    failed = Response(status=None, body=b"", error="ReadTimeout: read timed out", url="http://sim/markets")
    writer.land(Page(REQUEST, failed, "open", error="gave up after 6 attempts: ReadTimeout"))
    assert landing.rows("select status_code, response, error from landing.raw_api_responses") == [
        (None, None, "gave up after 6 attempts: ReadTimeout")
    ]


def test_checkpoint_commits_with_its_page_and_never_moves_backwards(writer, landing):
    later, earlier = INTERVAL.end, INTERVAL.start
    writer.land(Page(REQUEST, response(b"[]"), "s"), Checkpoint("trades", "s", {"next": 1}, later, {"k": 1}))
    writer.land(Page(REQUEST, response(b"[]"), "s"), Checkpoint("trades", "s", None, earlier, None))
    assert landing.rows("select cursor, high_water_mark, state from landing.sync_state") == [(None, later, {"k": 1})]
    assert landing.value("select last_landing_id from landing.sync_state") == landing.value(
        "select max(landing_id) from landing.raw_api_responses")


def test_catalog_upsert_tracks_latest_state(writer, landing):
    opened = INTERVAL.start - timedelta(days=3)
    entry = CatalogEntry("0xa", "e1", {"token_ids": ["1", "2"]}, opened, None, False)
    writer.land(Page(REQUEST, response(b"[]"), "open"), None, [entry])
    closed = CatalogEntry("0xa", None, {"gamma_id": "7"}, None, INTERVAL.start, True)
    writer.land(Page(REQUEST, response(b"[]"), "open"), None, [closed])
    row = landing.rows("select event_id, keys, opened_at, closed_at, is_closed from landing.market_catalog")[0]
    assert row == ("e1", {"token_ids": ["1", "2"], "gamma_id": "7"}, opened, INTERVAL.start, True)


def test_landing_ids_follow_commit_order(writer, landing):
    """A writer that took its id first but commits later would let a reader skip it: ids are
    assigned under a lock held to commit, so the second writer waits and gets the larger id."""
    first = landing.db.connect()
    cur = first.cursor()
    cur.execute("select landing.lock_landing_ids()")
    cur.execute(
        "insert into landing.raw_api_responses (request_id, source, resource, endpoint, url, fetched_at) "
        "values (gen_random_uuid(), 'polymarket', 'markets', '/m', 'u', now()) returning landing_id")
    first_id = cur.fetchone()[0]
    result = {}
    second = threading.Thread(target=lambda: result.update(id=writer.land(Page(REQUEST, response(b"[]"), "s"))))
    second.start()
    second.join(timeout=1.0)
    assert second.is_alive(), "the second writer must wait for the first to commit"
    first.commit()
    second.join(timeout=10)
    assert result["id"] > first_id
    first.close()
