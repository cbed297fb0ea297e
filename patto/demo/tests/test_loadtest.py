"""The load test (``loadtest/``, ``scripts/loadtest.sh``) cannot rot: every URL it requests is one of Patto's,
under the name it says, and the locustfile asks for no other. Locust itself is not needed here (it is in the
``load`` extra, not the test one): the routes are plain Python and the locustfile is read as text."""

import importlib.util
import re
import uuid
from pathlib import Path

import pytest
from django.urls import resolve

LOADTEST = Path(__file__).resolve().parents[3] / "loadtest"


def _routes():
    spec = importlib.util.spec_from_file_location("loadtest_routes", LOADTEST / "routes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_route_of_the_load_test_is_the_named_patto_url():
    routes = _routes()
    for name, template in routes.ROUTES.items():
        address = routes.url(name, path=uuid.uuid4(), period=7)
        assert resolve(address).view_name == name, f"{name}: {template} is {resolve(address).view_name}"


def test_the_locustfile_asks_only_for_named_routes():
    source = (LOADTEST / "locustfile.py").read_text()
    asked = set(re.findall(r"""(?:self\.page|url)\(\s*"([a-z_]+:[a-z_]+)\"""", source))
    assert {"accounts:login", "accounts:mfa_verify", "cases:path_detail", "audit:trail"} <= asked
    assert asked <= set(_routes().ROUTES), asked - set(_routes().ROUTES)


def test_the_load_test_accounts_come_in_the_demo_proportions_of_roles():
    from django.core.management.base import CommandError

    from patto.demo.management.commands.seed_loadtest import role_counts

    assert role_counts(200) == {"coordinator": 20, "auditor": 10, "school_referent": 50, "case_manager": 120}
    assert role_counts(5) == {"coordinator": 1, "auditor": 1, "school_referent": 1, "case_manager": 2}
    with pytest.raises(CommandError):
        role_counts(3)
