"""Browser tests: Python Playwright driving Debian's chromium (never a downloaded browser)."""

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = os.environ.get("PATTO_CHROMIUM", "/usr/bin/chromium")
AXE = (Path(__file__).parent / "axe.min.js").read_text()
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        # Never a skip: CI must run the browser tests. scripts/dev.sh test installs chromium.
        raise RuntimeError(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


class Visitor:
    """A signed-in (or not) browser tab that checks every page it visits: axe-core WCAG 2.1 AA and CSP."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url
        self.console = []
        page.on("console", lambda message: self.console.append(message.text))

    def open(self, path):
        response = self.page.goto(self.base_url + path)
        self.check()
        return response

    def check(self):
        self.page.wait_for_load_state("load")
        violations = self.page.evaluate(
            AXE + "\n;axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
            ".then(r => r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))")
        assert violations == [], f"{self.page.url}: {violations}"
        csp = [text for text in self.console if "Content Security Policy" in text or "Content-Security-Policy" in text]
        assert csp == [], csp

    def sign_in(self, username, password):
        self.open("/accesso/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("main button[type=submit]")
        self.check()


@pytest.fixture
def visit(browser, live_server, transactional_db, reference_data):
    contexts = []

    def _visit():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="it-IT")
        contexts.append(context)
        return Visitor(context.new_page(), live_server.url)

    yield _visit
    for context in contexts:
        context.close()
