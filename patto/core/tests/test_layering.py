"""The apps' layering as docs/architecture.md states it holds in the code.

The order is read from the table under "Apps and layering" in docs/architecture.md: each app may
import only from the apps listed above it. Every import statement is read (also those inside
functions), in every module but tests and migrations; a new app must be placed in the table."""

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PACKAGE = ROOT / "patto"


def documented_order():
    text = (ROOT / "docs" / "architecture.md").read_text()
    section = text.split("## Apps and layering", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE)


def app_packages():
    return sorted(p.parent.name for p in PACKAGE.glob("*/apps.py"))


def imports_between_apps(apps, package=PACKAGE):
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package).parts
        if len(parts) < 2 or parts[0] not in apps or "tests" in parts or "migrations" in parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                bits = name.split(".")
                if bits[0] == "patto" and len(bits) > 1 and bits[1] in apps and bits[1] != parts[0]:
                    yield parts[0], bits[1], f"{path.relative_to(package.parent)}:{node.lineno}"


def test_every_app_is_placed_in_the_documented_layering():
    order = documented_order()
    assert order[0] == "core"
    assert set(app_packages()) <= set(order), (
        f"apps missing from docs/architecture.md: {set(app_packages()) - set(order)}"
    )


def test_no_import_goes_up_the_layering():
    order = documented_order()
    rank = {app: i for i, app in enumerate(order)}
    upward = [
        f"{where}: {src} imports {dst}"
        for src, dst, where in imports_between_apps(set(app_packages()))
        if rank[dst] > rank[src]
    ]
    assert upward == [], "imports that go up the layering of docs/architecture.md:\n" + "\n".join(upward)


def test_the_layering_check_sees_an_import_inside_a_function(tmp_path):
    """The check itself, on a made-up tree: an import hidden in a function body is found, tests and
    migrations are not read."""
    (tmp_path / "core" / "tests").mkdir(parents=True)
    (tmp_path / "core" / "migrations").mkdir()
    (tmp_path / "core" / "views.py").write_text("def f():\n    from patto.accounts.models import User\n")
    (tmp_path / "core" / "tests" / "test_x.py").write_text("import patto.cases\n")
    (tmp_path / "core" / "migrations" / "0001.py").write_text("import patto.cases\n")
    found = list(imports_between_apps({"core", "accounts", "cases"}, package=tmp_path))
    assert [(src, dst) for src, dst, _where in found] == [("core", "accounts")]


def test_the_audit_seam_fails_closed_without_the_audit_app(monkeypatch):
    """accounts writes its events through core/audit.py; with no audit app plugged in, it refuses."""
    import pytest
    from django.core.exceptions import ImproperlyConfigured

    from patto.core import audit

    monkeypatch.setattr(audit, "_backend", [])
    with pytest.raises(ImproperlyConfigured):
        audit.record_event(actor=None, action="accounts.login.succeeded")
