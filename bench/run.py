"""`make bench`: the pages and periodic work of passlib at the scale of a large city.

1. creates its own PostgreSQL database (BENCH_DATABASE_URL, dropped and re-created),
   migrates it and loads `seed_scale` (10,000 offers, 300,000 bookings by default);
2. serves the app with gunicorn (production settings, 2 workers; plain HTTP on
   loopback, so the TLS-only settings are turned off) and drives each page with locust
   (16 users, headless, one phase per page) — including a bare view with the same
   middleware and a constant template: the framework's floor;
3. counts SQL queries per page (Django test client), times the CSV export of every
   booking (and the process's peak memory) and `validate_subscription_bookings` on
   every booking made due;
4. prints the table, keeps the run's figures in bench/results/<offers>.json and writes
   docs/performance.md from every size measured (10,000 offers and the national
   100,000 side by side) and bench/NOTES.md.

National scale: `BENCH_OFFERS=100000 BENCH_BOOKINGS=3000000 make bench`. The data grows
by collectivités (one per 10,000 offers by default, `BENCH_COLLECTIVITES`), each with
its 20 venues, so the administrator measured has the same share at both sizes while the
catalogue, the tables and their indexes are ten times larger.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/passlib_bench")
OFFERS = int(os.environ.get("BENCH_OFFERS", "10000"))
BOOKINGS = int(os.environ.get("BENCH_BOOKINGS", "300000"))
COLLECTIVITES = int(os.environ.get("BENCH_COLLECTIVITES", "0")) or max(1, OFFERS // 10_000)
RESULTS = ROOT / "bench" / "results"
USERS = int(os.environ.get("BENCH_USERS", "16"))
DURATION = int(os.environ.get("BENCH_SECONDS", "20"))
PORT = int(os.environ.get("BENCH_PORT", "8055"))
# Re-measure the pages on the database of an earlier run (no re-seed, no export or
# validation timing, docs/performance.md untouched): for trying a change quickly.
PAGES_ONLY = os.environ.get("BENCH_PAGES_ONLY", "") not in ("", "0", "false")
# A database seeded earlier by the same `seed_scale` command, copied instead of seeding
# again (CREATE DATABASE … TEMPLATE): the national data takes ten minutes to load.
TEMPLATE = os.environ.get("BENCH_TEMPLATE", "")
PASSWORD = "bench-passlib-2026"  # noqa: S105 - seed_scale's benchmark accounts


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def bench_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DATABASE_URL=DB_URL,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        BENCH_FLOOR_VIEW="true",
        GUICHET_LOOKUPS_PER_MINUTE="100000000",
        CONN_MAX_AGE="600",
        LOG_LEVEL="WARNING",
        EMAIL_URL="smtp://127.0.0.1:25",
    )
    return env


def manage(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return result.stdout


def recreate_database(template: str = "") -> None:
    info = psycopg.conninfo.conninfo_to_dict(DB_URL.replace("postgres://", "postgresql://"))
    name = info.pop("dbname")
    admin = psycopg.conninfo.make_conninfo(**{**info, "dbname": "postgres"})
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def sql(query: str, *params):
    with psycopg.connect(DB_URL.replace("postgres://", "postgresql://"), autocommit=True) as c:
        cur = c.execute(query, params)
        return cur.fetchall() if cur.description else None


PARTICIPANTS = 200


def seed_participants(venue_ids: list[int]) -> str:
    """The participants page measured (issue 30): the first session of the administrator's
    venues with 500 places gets PARTICIPANTS registrations from the other channels (one
    place each, desk, phone, e-mail and another tool in turn) beside its bookings, in one
    set-based INSERT and its session's `other_count` (kept as the service keeps it), once
    per database. Returns the page's URL."""
    [(session_id, offer_uuid, session_uuid)] = sql(
        "SELECT s.id, o.public_id, s.public_id FROM offers_session s "
        "JOIN offers_offer o ON o.id = s.offer_id "
        "WHERE o.venue_id = ANY(%s) AND o.status = 'published' AND s.total_places >= 500 "
        "AND s.cancelled_at IS NULL ORDER BY s.starts_at, s.id LIMIT 1",
        venue_ids,
    )
    if not sql("SELECT 1 FROM offers_registration WHERE session_id = %s LIMIT 1", session_id):
        sql(
            "INSERT INTO offers_registration (public_id, offer_id, session_id, channel, name, "
            "phone, email, contact_consent, age_bracket, places, note, status, attendance, "
            "joined_at) "
            "SELECT gen_random_uuid(), s.offer_id, s.id, "
            "(ARRAY['desk', 'phone', 'email', 'other_tool'])[1 + g %% 4], "
            "'Participant ' || g, '', '', false, 'unknown', 1, '', 'registered', '', "
            "now() - (%s - g) * interval '1 minute' "
            "FROM offers_session s, generate_series(1, %s) g WHERE s.id = %s",
            PARTICIPANTS,
            PARTICIPANTS,
            session_id,
        )
        sql(
            "UPDATE offers_session SET other_count = other_count + %s WHERE id = %s",
            PARTICIPANTS,
            session_id,
        )
    return f"/offres/{offer_uuid}/seances/{session_uuid}/participants/"


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server did not answer on {url}")


def locust_phase(page: str, config: dict, host: str, folder: Path) -> dict:
    env = {**os.environ, "BENCH_PAGE": page, "BENCH_CONFIG": json.dumps(config)}
    prefix = folder / page
    subprocess.run(
        [
            str(Path(PY).with_name("locust")),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "-u",
            str(USERS),
            "-r",
            str(USERS),
            "-t",
            f"{DURATION}s",
            "--host",
            host,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == page:
                return {
                    "rps": float(row["Requests/s"]),
                    "p50": float(row["50%"]),
                    "p95": float(row["95%"]),
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                }
    raise RuntimeError(f"no stats for {page}")


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    pg = sql("SHOW server_version")[0][0]
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, PostgreSQL {pg}; "
        f"locust on the same machine as gunicorn and PostgreSQL (shared cores)"
    )


def main() -> int:
    env = bench_env()
    results: dict = {"date": dt.datetime.now().strftime("%Y-%m-%d %H:%M")}
    if PAGES_ONLY:
        log(f"database {DB_URL} (kept: BENCH_PAGES_ONLY)")
        manage("migrate", "--noinput", env=env)
        manage("collectstatic", "--noinput", env=env)
    elif TEMPLATE:
        log(f"database {DB_URL} (copied from {TEMPLATE})")
        recreate_database(TEMPLATE)
        manage("migrate", "--noinput", env=env)
        manage("collectstatic", "--noinput", env=env)
        results["seed_seconds"] = f"(copied from {TEMPLATE})"
        sql("VACUUM ANALYZE")
    else:
        log(f"database {DB_URL} (re-created)")
        recreate_database()
        manage("migrate", "--noinput", env=env)
        manage("collectstatic", "--noinput", env=env)
        log(f"seed_scale --offers {OFFERS} --bookings {BOOKINGS}")
        start = time.monotonic()
        manage(
            "seed_scale",
            "--offers",
            str(OFFERS),
            "--bookings",
            str(BOOKINGS),
            "--collectivites",
            str(COLLECTIVITES),
            "--seed",
            "42",
            env=env,
        )
        results["seed_seconds"] = round(time.monotonic() - start, 1)
        sql("VACUUM ANALYZE")

    # The venues of the measured administrator's collectivité (the first one).
    admin_venues = [
        r[0]
        for r in sql(
            "SELECT v.id FROM accounts_venue v JOIN accounts_membership m "
            "ON m.collectivite_id = v.collectivite_id JOIN accounts_user u ON u.id = m.user_id "
            "WHERE u.email = %s ORDER BY v.id",
            "admin-0@passlib.bench",
        )
    ]
    participants_url = seed_participants(admin_venues)
    codes = [
        r[0]
        for r in sql(
            "SELECT code FROM offers_booking WHERE venue_id = ANY(%s) ORDER BY id LIMIT 2000",
            admin_venues,
        )
    ]
    since = (dt.date.today() - dt.timedelta(days=30)).isoformat()
    [(collectivite_id,)] = sql(
        "SELECT c.public_id FROM accounts_collectivite c JOIN accounts_membership m "
        "ON m.collectivite_id = c.id JOIN accounts_user u ON u.id = m.user_id "
        "WHERE u.email = %s LIMIT 1",
        "admin-0@passlib.bench",
    )
    config = {
        "user": "admin-0@passlib.bench",
        "password": PASSWORD,
        "codes": codes,
        "pages": {
            "floor": {"url": "/bench/floor"},
            "guichet": {"url": "/guichet/?code={code}"},
            "offers_of_a_venue": {"url": f"/offres/?venue={admin_venues[0]}"},
            "bookings_first_page": {"url": "/reservations/"},
            "bookings_filtered": {
                "url": f"/reservations/?status=validated&venue={admin_venues[1]}"
                f"&booked_from={since}"
            },
            "beneficiary_offers": {"url": "/jeunes/offres/?free_only=on", "login": False},
            "catalog_search": {"url": "/jeunes/offres/?q=club+lecture", "login": False},
            "catalog_near": {
                "url": "/jeunes/offres/?q=theatre&near=Villeurbanne",
                "login": False,
            },
            "catalog_by_date": {"url": "/jeunes/offres/?sort=date", "login": False},
            "catalog_nearest": {"url": "/jeunes/offres/?near=69100", "login": False},
            "pro_home": {"url": "/espace/"},
            "statistics": {"url": f"/collectivites/{collectivite_id}/statistiques/"},
            "session_participants_200": {"url": participants_url},
        },
    }

    sessions = subprocess.run(
        [PY, str(ROOT / "bench" / "sessions.py"), str(USERS), config["user"]],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    config["sessions"] = json.loads(sessions.stdout.strip().splitlines()[-1])

    probe = subprocess.run(
        [
            PY,
            str(ROOT / "bench" / "probe.py"),
            *[
                ("" if p.get("login", True) else "anon:") + p["url"].replace("{code}", codes[0])
                for p in config["pages"].values()
            ],
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    queries = json.loads(probe.stdout)

    log(f"gunicorn, 2 workers; locust {USERS} users x {DURATION} s per page")
    server = subprocess.Popen(
        [
            str(Path(PY).with_name("gunicorn")),
            "passlib.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    folder = Path(tempfile.mkdtemp(prefix="passlib-bench-"))
    pages = {}
    try:
        wait_for(f"http://127.0.0.1:{PORT}/healthz")
        for name in config["pages"]:
            log(f"page {name}")
            pages[name] = locust_phase(name, config, f"http://127.0.0.1:{PORT}", folder)
            url = config["pages"][name]["url"].replace("{code}", codes[0])
            pages[name]["queries"] = queries[url]["queries"]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
    results["pages"] = pages
    if PAGES_ONLY:
        print(page_table(pages))
        return 0

    log("CSV export of every booking")
    out = subprocess.run(
        [PY, str(ROOT / "bench" / "export_probe.py")],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    results["export"] = json.loads(out.stdout.strip().splitlines()[-1])

    log("validate_subscription_bookings on every booking made due")
    sql(
        "UPDATE offers_booking SET status = 'confirmed', validated_at = NULL, "
        "validated_auto = false, is_free_subscription = true, cancelled_at = NULL, "
        "cancellation_reason = '', reimbursed_at = NULL, "
        "booked_at = now() - interval '31 days'"
    )
    sql("VACUUM ANALYZE offers_booking")
    start = time.monotonic()
    printed = manage("validate_subscription_bookings", env=env)
    results["validate"] = {"seconds": round(time.monotonic() - start, 2), "output": printed.strip()}
    results["machine"] = machine()
    results.update(offers=OFFERS, bookings=BOOKINGS, collectivites=COLLECTIVITES)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{OFFERS}.json").write_text(json.dumps(results, indent=1) + "\n")
    report = render(stored_results())
    print(page_table(pages))
    (ROOT / "docs" / "performance.md").write_text(report)
    log(f"written to bench/results/{OFFERS}.json and docs/performance.md")
    return 0


def stored_results() -> list[dict]:
    """Every size measured (bench/results/*.json), smallest first."""
    runs = [json.loads(f.read_text()) for f in RESULTS.glob("*.json")]
    return sorted(runs, key=lambda r: r["offers"])


def page_table(pages: dict) -> str:
    floor = pages["floor"]["rps"] or 1
    lines = [
        "| page | requests/s | p50 (ms) | p95 (ms) | SQL queries | ratio to floor |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, p in pages.items():
        lines.append(
            f"| {name} | {p['rps']:.1f} | {p['p50']:.0f} | {p['p95']:.0f} | "
            f"{p['queries']} | {p['rps'] / floor:.2f} |"
        )
    return "\n".join(lines)


def side_by_side(runs: list[dict]) -> str:
    """Each page's ratio to the floor and p95 at every size, and the largest size's ratio
    as a share of the smallest's."""
    head = "| page |" + "".join(f" {r['offers']:,} offers: ratio / p95 |" for r in runs)
    rule = "|---|" + "---:|" * len(runs)
    if len(runs) > 1:
        head += " largest / smallest |"
        rule += "---:|"
    lines = [head.replace(",", " "), rule]
    for name in runs[0]["pages"]:
        cells, ratios = [], []
        for r in runs:
            page = r["pages"].get(name)
            if page is None:
                cells.append(" — |")
                ratios.append(None)
                continue
            ratio = page["rps"] / (r["pages"]["floor"]["rps"] or 1)
            ratios.append(ratio)
            cells.append(f" {ratio:.2f} / {page['p95']:.0f} ms |")
        line = f"| {name} |" + "".join(cells)
        if len(runs) > 1:
            first, last = ratios[0], ratios[-1]
            line += f" {last / first:.0%} |" if first and last else " — |"
        lines.append(line)
    return "\n".join(lines)


def run_details(r: dict) -> list[str]:
    e, v = r["export"], r["validate"]
    return [
        f"### {r['offers']:,} offers, {r['bookings']:,} bookings".replace(",", " "),
        "",
        f"Measured by `make bench` on {r['date']}. Machine: {r['machine']}.",
        "",
        f"Data: `seed_scale --offers {r['offers']} --bookings {r['bookings']} --collectivites "
        f"{r['collectivites']}` ({r['collectivites']} collectivité(s) of 20 venues), "
        + (
            f"loaded in {r['seed_seconds']} s."
            if isinstance(r["seed_seconds"], float | int)
            else f"{r['seed_seconds']}."
        ),
        "",
        page_table(r["pages"]),
        "",
        f"- CSV export of {e['rows']} bookings: {e['seconds']} s, {e['bytes'] / 2**20:.1f} MiB, "
        f"peak RSS of the process {e['peak_rss_mb']} MB ({e['rss_before_mb']} MB before "
        "the export).",
        f"- `validate_subscription_bookings` on {r['bookings']} due bookings: {v['seconds']} s "
        f"(whole command, Django start-up included) — « {v['output']} »",
        "- Failures during the load phases: "
        + ", ".join(f"{n} {p['failures']}" for n, p in r["pages"].items())
        + ".",
        "",
    ]


def render(runs: list[dict]) -> str:
    lines = [
        "# Performance",
        "",
        "Measured by `make bench` (bench/run.py) at two sizes: 10,000 offers and 300,000 "
        "bookings (a large city), and the national scale, `BENCH_OFFERS=100000 "
        "BENCH_BOOKINGS=3000000 make bench` (ten collectivités of 20 venues: the "
        "administrator measured keeps the same share, the catalogue and the tables are ten "
        "times larger). Server: gunicorn, 2 sync workers, production settings over "
        f"loopback HTTP. Load: locust, {USERS} concurrent users, {DURATION} s per page, "
        "each page in its own phase, logged in as the first collectivité's administrator "
        "(the young people's catalogue is public). Each run's figures are kept in "
        "bench/results/.",
        "",
        "## Both sizes side by side (ratio of requests/s to the floor's, p95)",
        "",
        side_by_side(runs),
        "",
        "## Each run",
        "",
    ]
    for r in runs:
        lines += run_details(r)
    lines.append((ROOT / "bench" / "NOTES.md").read_text())
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
