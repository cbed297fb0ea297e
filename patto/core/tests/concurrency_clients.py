"""Concurrent clients against a file-based SQLite database, run in a child process by test_concurrency.py.

    python concurrency_clients.py <clients> <requests per client> <url>[,<url>...] <username> [<username> ...]

The child imports the real settings (PATTO_SQLITE_PATH points at the file), so it exercises the SQLite
options Patto ships with. Each client is a thread with its own connection and its own test Client signed
in as one of the usernames (in turn), asking for the URLs in turn; every page writes an access row. Prints one JSON line:
how many requests, their status codes, the errors and the wall time."""

import json
import os
import sys
import threading
import time
from collections import Counter

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..")))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patto.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from patto.accounts.models import User  # noqa: E402


def main(clients, per_client, urls, usernames):
    statuses, errors = Counter(), []
    lock, start = threading.Lock(), threading.Barrier(clients)

    def client(index):
        browser = Client()
        browser.force_login(User.objects.get(username=usernames[index % len(usernames)]))
        start.wait()
        for number in range(per_client):
            try:
                status = browser.get(urls[(index + number) % len(urls)]).status_code
            except Exception as error:  # a "database is locked" surfaces here or as a 503
                status = type(error).__name__
            with lock:
                statuses[str(status)] += 1
                if status != 200:
                    errors.append(str(status))
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal = cursor.fetchone()[0]
    print(
        json.dumps(
            {
                "requests": sum(statuses.values()),
                "statuses": statuses,
                "errors": len(errors),
                "seconds": round(time.monotonic() - began, 2),
                "journal_mode": journal,
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].split(","), sys.argv[4:])
