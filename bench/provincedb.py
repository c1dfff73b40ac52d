"""The benchmark database shared by bench/province.py (which fills it) and bench/pages.py (which times it).

A PostgreSQL database on the developers' server (127.0.0.1:5432, trust auth, user postgres), created with a
C.UTF-8 locale like every database of this project (docs/deploy.md, STACK-NOTES: trigram search on Chinese).
"""

import os
import sys
from pathlib import Path

DEFAULT_DATABASE = "dangjian_province"
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
PROJECT = Path(__file__).resolve().parents[1]


def database_url(name: str) -> str:
    return f"{SERVER}/{name}"


def _server():
    import psycopg

    return psycopg.connect(database_url("postgres"), autocommit=True)


def recreate_database(name: str, *, template: str = "template0") -> None:
    """Drop and create `name` (the data of a previous run is thrown away), as a copy of `template`."""
    with _server() as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.execute(f"""CREATE DATABASE "{name}" TEMPLATE "{template}" ENCODING 'UTF8' """
                       f"""LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'""")


def migrated_template() -> str:
    """The name of a database holding the migrated, empty schema, made when the migrations changed.

    Migrating from nothing takes a minute and a half on two cores (Wagtail brings many migrations); copying a
    migrated template takes a second. The name carries a digest of the migrations (names, and the project's own
    migration files), so a new or edited migration makes a new template and the old ones are dropped."""
    import hashlib

    from django.core.management import call_command
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    digest = hashlib.sha1()
    for key in sorted(loader.disk_migrations):
        digest.update(repr(key).encode())
        module = sys.modules[type(loader.disk_migrations[key]).__module__]
        if module.__name__.startswith("dangjian."):
            digest.update(Path(module.__file__).read_bytes())
    name = f"dangjian_bench_{digest.hexdigest()[:12]}"
    with _server() as server:
        existing = [row[0] for row in server.execute("SELECT datname FROM pg_database WHERE datname LIKE "
                                                     "'dangjian\\_bench\\_%'")]
        if name in existing:
            return name
        for old in existing:
            server.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
    recreate_database(name)
    connection = connections[DEFAULT_DB_ALIAS]
    connection.close()
    target, connection.settings_dict["NAME"] = connection.settings_dict["NAME"], name
    try:
        call_command("migrate", verbosity=0)
    finally:
        connection.close()
        connection.settings_dict["NAME"] = target
    return name


def setup_django(name: str) -> None:
    """Point Django at the benchmark database and set it up (production settings: DEBUG off)."""
    os.environ["DATABASE_URL"] = database_url(name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    sys.path.insert(0, str(PROJECT / "src"))
    import django

    django.setup()
