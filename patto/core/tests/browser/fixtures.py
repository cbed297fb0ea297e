"""Browser tests: Python Playwright driving Debian's chromium (never a downloaded browser)."""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

PASSWORD = "una-password-lunga-di-prova"  # every test user's (accounts.tests.factories.UserFactory)
CHROMIUM = os.environ.get("PATTO_CHROMIUM", "/usr/bin/chromium")
AXE = (Path(__file__).parent / "axe.min.js").read_text()
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


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
        # The sections a page loads once shown (htmx; the path page's, in one request) are all there.
        expect(self.page.locator('[hx-get][aria-busy="true"], [data-section-slot]')).to_have_count(0, timeout=30000)
        violations = self.page.evaluate(
            AXE + "\n;axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
            ".then(r => r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))"
        )
        assert violations == [], f"{self.page.url}: {violations}"
        csp = [text for text in self.console if "Content Security Policy" in text or "Content-Security-Policy" in text]
        assert csp == [], csp

    def sign_in(self, username, password=PASSWORD):
        self.open("/accesso/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("main button[type=submit]")
        self.check()

    def submit(self, selector="main form button[type=submit]"):
        """Send the page's form (the first one in main, unless told) and check the page that comes back."""
        self.page.click(selector)
        self.check()

    # --- Keyboard -------------------------------------------------------------------------------------

    def focused(self):
        """What has the focus: tag, id, href, text, the data-error-summary mark and whether focus is visible
        (an outline or a box-shadow drawn by :focus / :focus-visible, as the user sees it)."""
        return self.page.evaluate("""() => {
            const el = document.activeElement;
            if (!el || el === document.body) { return null; }
            const style = getComputedStyle(el);
            const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
            const shadow = style.boxShadow && style.boxShadow !== "none";
            return {tag: el.tagName.toLowerCase(), id: el.id, href: el.getAttribute("href") || "",
                    text: (el.innerText || el.value || "").trim().slice(0, 80), summary: el.hasAttribute("data-error-summary"), main: Boolean(el.closest("main")),
                    visible: Boolean(outline || shadow)};
        }""")

    def tab_to(self, matches, limit=120):
        """Press Tab until matches(focused) is true; every stop on the way must show where the focus is."""
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            here = self.focused()
            assert here is None or here["visible"], f"{self.page.url}: no visible focus on {here}"
            if here and matches(here):
                return here
        raise AssertionError(f"{self.page.url}: not reached with {limit} Tabs")

    def enter(self):
        """Press Enter on what has the focus and check the page it leads to."""
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        self.check()

    # --- Small screens (WCAG 1.4.10) --------------------------------------------------------------------

    def reflow_problems(self):
        """What does not fit the viewport: the page scrolls sideways, a badge is cut off."""
        return self.page.evaluate("""() => {
            const problems = [];
            const root = document.documentElement;
            if (root.scrollWidth > root.clientWidth) {
                const wide = [...document.body.querySelectorAll("*")].filter(el =>
                    el.getBoundingClientRect().right > root.clientWidth + 0.5 && !el.closest(".table-responsive")
                    && ![...el.children].some(child => child.getBoundingClientRect().right > root.clientWidth + 0.5));
                const names = wide.slice(0, 3).map(el => el.tagName.toLowerCase() + (el.className ? "." + String(el.className).trim().split(/\\s+/).join(".") : ""));
                problems.push(`page scrolls sideways: ${root.scrollWidth} > ${root.clientWidth} (${names.join(", ")})`);
            }
            for (const badge of document.querySelectorAll(".badge")) {
                const box = badge.getBoundingClientRect();
                if (!box.width) { continue; }
                const scroller = badge.closest(".table-responsive");  // inside a table that scrolls: reachable
                if (badge.scrollWidth > badge.clientWidth + 1 ||
                    (!scroller && (box.left < 0 || box.right > root.clientWidth + 0.5))) {
                    problems.push(`badge cut off: "${badge.innerText}" ${Math.round(box.left)}–${Math.round(box.right)}`);
                }
                for (let up = badge.parentElement; up && up !== document.body; up = up.parentElement) {
                    const clip = getComputedStyle(up).overflowX;
                    if (clip === "visible") { continue; }
                    if (clip === "auto" || clip === "scroll") { break; }  // a table that scrolls: reachable
                    const outer = up.getBoundingClientRect();
                    if (box.left < outer.left - 0.5 || box.right > outer.right + 0.5) {
                        problems.push(`badge "${badge.innerText}" cut off by its ${up.tagName.toLowerCase()}.${up.className}`);
                    }
                    break;
                }
            }
            return problems;
        }""")

    def header_problems(self, *texts):
        """Each text must be shown in the header, in the viewport, on top (not under another element), and
        clear of the sign-out button."""
        return self.page.evaluate(
            """(texts) => {
            const problems = [];
            const header = document.querySelector("header");
            const signOut = [...header.querySelectorAll("button")].find(b => /Esci|Sign out/.test(b.innerText));
            const out = signOut && signOut.getBoundingClientRect();
            const nodes = [];
            const walker = document.createTreeWalker(header, NodeFilter.SHOW_TEXT);
            for (let n = walker.nextNode(); n; n = walker.nextNode()) { nodes.push(n); }
            const check = (node, text) => {  // what is wrong with this occurrence of the text
                const range = document.createRange();
                range.selectNodeContents(node);
                const box = range.getBoundingClientRect();
                const el = node.parentElement;
                if (!box.width || getComputedStyle(el).visibility === "hidden") { return [`"${text}" is hidden`]; }
                const found = [];
                if (box.left < 0 || box.right > document.documentElement.clientWidth + 0.5) {
                    found.push(`"${text}" runs out of the screen`);
                }
                const top = document.elementFromPoint(box.left + Math.min(box.width, 20) / 2, box.top + box.height / 2);
                if (!top || !(el.contains(top) || top.contains(el))) {
                    found.push(`"${text}" is covered by ${top && top.tagName.toLowerCase() + "." + top.className}`);
                }
                if (out && !(box.right <= out.left || box.left >= out.right || box.bottom <= out.top || box.top >= out.bottom)) {
                    found.push(`"${text}" overlaps the sign-out button`);
                }
                return found;
            };
            for (const text of texts) {
                // The text may be in the header twice (a wide-screen copy hidden on phones): one good one is enough.
                const results = nodes.filter(n => n.textContent.includes(text)).map(n => check(n, text));
                if (!results.length) { problems.push(`"${text}" not in the header`); continue; }
                if (results.some(found => !found.length)) { continue; }
                const shown = results.filter(found => !found[0].endsWith("is hidden"));
                problems.push(...(shown.length ? shown[0] : results[0]));
            }
            return problems;
        }""",
            list(texts),
        )


@pytest.fixture
def rimini(transactional_db):
    """The district the browser journeys take place in: its Comune, a school, the AUSL and the district office
    (no people, no pact: each journey adds its own)."""
    from types import SimpleNamespace

    from patto.accounts.models import Institution
    from patto.accounts.tests.factories import DistrictFactory, InstitutionFactory

    district = DistrictFactory(name="Distretto di Rimini")
    return SimpleNamespace(
        district=district,
        comune=InstitutionFactory(district=district, name="Comune di Rimini", istat_code="099014"),
        school=InstitutionFactory(
            district=district,
            kind=Institution.Kind.SCHOOL,
            name="IC Rimini Marina",
            istat_code="",
            codice_meccanografico="RNIC80901A",
        ),
        ausl=InstitutionFactory(district=district, kind=Institution.Kind.AUSL, name="AUSL Romagna", istat_code=""),
        office=InstitutionFactory(
            district=district, kind=Institution.Kind.DISTRICT_OFFICE, name="Ufficio di piano", istat_code=""
        ),
    )


@pytest.fixture
def visit(browser, live_server, transactional_db, reference_data):
    contexts = []

    def _visit(width=1280, height=900):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="it-IT")
        contexts.append(context)
        return Visitor(context.new_page(), live_server.url)

    yield _visit
    for context in contexts:
        context.close()
