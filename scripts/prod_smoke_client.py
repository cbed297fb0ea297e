"""The person in scripts/prod_smoke.sh: signs in (password, then a TOTP code), reads pages and downloads, and
checks that every static asset those pages name (and every file their stylesheets name) answers 200.

    PATTO_SMOKE_TOTP_KEY=<hex> python scripts/prod_smoke_client.py 127.0.0.1:8765 patto.example.org targets.json

Standard library only. It talks to gunicorn as the README's reverse proxy would: Host is the public name,
X-Forwarded-Proto is https and X-Forwarded-For carries the client's address (PATTO_BEHIND_PROXY=1,
PATTO_TRUSTED_PROXIES=1). Cookies are kept by hand: they are Secure (__Host-), and the proxy's leg is HTTP."""

import hashlib
import hmac
import http.client
import json
import os
import re
import struct
import sys
import time
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

SERVER, HOST, TARGETS = sys.argv[1], sys.argv[2], sys.argv[3]
ORIGIN = f"https://{HOST}"
CLIENT_IP = "203.0.113.7"
failures = []


def totp(key_hex, at=None):
    """RFC 6238 (SHA-1, 30 s, 6 digits), as django-otp's TOTPDevice computes it."""
    counter = int((at or time.time()) // 30)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


class Browser:
    def __init__(self):
        self.cookies = {}

    def request(self, method, path, form=None, referer=None):
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": CLIENT_IP,
            "User-Agent": "patto-prod-smoke",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": ORIGIN,
                    "Referer": ORIGIN + (referer or path),
                }
            )
        connection = http.client.HTTPConnection(SERVER, timeout=60)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                cookie_value = rest.split(";", 1)[0]
                if cookie_value in ("", '""') or "max-age=0" in value.lower():
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = cookie_value
        connection.close()
        return response.status, dict((k.lower(), v) for k, v in response.getheaders()), content

    def get(self, path, follow=True):
        """GET, following redirects within the site; returns (status, headers, body, final path)."""
        for _hop in range(10):
            status, headers, content = self.request("GET", path)
            if not (follow and status in (301, 302, 303)):
                return status, headers, content, path
            path = local(path, headers["location"])
        raise AssertionError(f"too many redirects from {path}")

    def submit(self, path, fields):
        """GETs the form page, POSTs it with its CSRF token and the given fields, follows the answer."""
        status, _headers, content, path = self.get(path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        assert status == 200 and token, f"no form at {path} ({status})"
        status, headers, content = self.request(
            "POST", path, {"csrfmiddlewaretoken": token.group(1).decode(), **fields}, referer=path
        )
        if status in (301, 302, 303):
            return self.get(local(path, headers["location"]))
        return status, headers, content, path


def local(path, location):
    """The path (and query) a redirect from ``path`` leads to, which must stay on the site."""
    target = urlsplit(urljoin(ORIGIN + path, location))
    if f"{target.scheme}://{target.netloc}" != ORIGIN:
        raise AssertionError(f"{path} redirects off the site: {location}")
    return target.path + (f"?{target.query}" if target.query else "")


class Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        url = {
            "link": attrs.get("href"),
            "script": attrs.get("src"),
            "img": attrs.get("src"),
            "use": attrs.get("href") or attrs.get("xlink:href"),
        }.get(tag)
        if url and not url.startswith(("data:", "#", "http://", "https://", "mailto:")):
            self.urls.add(url.split("#", 1)[0])


def check(condition, message):
    print(("  ok   " if condition else "  FAIL ") + message)
    if not condition:
        failures.append(message)


def check_assets(browser, page, html, seen):
    parser = Assets()
    parser.feed(html.decode("utf-8", "replace"))
    queue = sorted(urljoin(page, url) for url in parser.urls)
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        status, headers, content, _final = browser.get(url, follow=False)
        check(status == 200, f"asset {url} → {status}")
        if url.endswith(".css") and status == 200:  # fonts and images the stylesheet names
            for ref in re.findall(rb"""url\(\s*["']?([^"')]+)["']?\s*\)""", content):
                ref = ref.decode()
                if not ref.startswith(("data:", "#")):
                    queue.append(urljoin(url, ref).split("#", 1)[0])


def sign_in(browser, username, password, key):
    status, _h, content, final = browser.submit("/accesso/", {"username": username, "password": password})
    check(final.startswith("/accesso/verifica/"), f"{username}: password accepted, second factor asked ({final})")
    status, _h, content, final = browser.submit(final, {"token": totp(key)})
    check(status == 200 and final == "/", f"{username}: TOTP accepted, home page ({status} {final})")


def main():
    targets = json.load(open(TARGETS))
    key = os.environ["PATTO_SMOKE_TOTP_KEY"]
    anonymous = Browser()
    for _attempt in range(120):  # gunicorn is starting
        try:
            status, headers, _c = anonymous.request("GET", "/salute/")
            break
        except OSError:
            time.sleep(0.25)
    else:
        sys.exit("gunicorn does not answer")
    check(status == 200, f"health {status}")
    plain = http.client.HTTPConnection(SERVER, timeout=30)
    plain.request("GET", "/accesso/", headers={"Host": HOST})
    answer = plain.getresponse()
    check(
        answer.status == 301 and answer.getheader("Location", "").startswith("https://"),
        f"plain HTTP is redirected to HTTPS ({answer.status} {answer.getheader('Location')})",
    )
    seen = set()
    for user in targets["users"]:
        browser = Browser()
        sign_in(browser, user["username"], targets["password"], key)
        for page in user["pages"]:
            status, headers, content, final = browser.get(page)
            check(
                status == 200 and final == page and "text/html" in headers.get("content-type", ""),
                f"{user['username']}: page {page} → {status} {final}",
            )
            check(
                "no-store" in headers.get("cache-control", "") and "strict-transport-security" in headers,
                f"{page}: no-store and HSTS",
            )
            check_assets(browser, page, content, seen)
        for download, content_type in user["downloads"].items():
            status, headers, content, final = browser.get(download)
            if final.startswith("/profilo/conferma-password/"):  # step-up: type the password again
                status, headers, content, final = browser.submit(final, {"password": targets["password"]})
            magic = b"%PDF" if content_type == "application/pdf" else b"PK"
            check(
                status == 200
                and headers.get("content-type", "").startswith(content_type)
                and content.startswith(magic),
                f"{user['username']}: {download} → {status}, {len(content)} bytes",
            )
    print(f"{len(seen)} static assets checked")
    if failures:
        sys.exit(f"{len(failures)} check(s) failed")


main()
