"""bench/checkin.py keeps working: its world (a session that started a minute ago, participants with tokens) on
the test database, each participant checked in once through the API with its token, and the bench's own check."""

import json
import sys
from pathlib import Path

import pytest
from django.test import Client

from dangjian.attendance import checkin as qr

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import checkin

pytestmark = pytest.mark.django_db


def test_the_bench_world_checks_in_once_each():
    world = checkin.prepare(5)
    for token in world["tokens"]:
        response = Client(headers={"Authorization": f"Bearer {token}"}).post(
            "/api/v1/attendance/check-in", json.dumps({"code": qr.make_code(world["session"])}),
            content_type="application/json")
        assert response.status_code == 200 and response.json()["created"], response.content
    checkin.verify(world["session"], 5)
