"""The original faulty service, as a minimal Django project in one file.

A Django view that raises AssertionError, IndexError or KeyError a quarter of
the time and otherwise serves 512-2048 random characters wrapped at 50
columns with a random MIME type, handing the content to a background worker
(a bounded queue and a thread, standing in for the original's celery task)
that logs "<sha1> <length> <mime type>" at a random level. Logging goes
through python-logstash's handler configured as in the original settings
(format version 1, message_type "logstash"), so pipe receives exactly what a
Django site sends.

Environment:
  FAULTY_LISTEN        host:port to serve on (default 127.0.0.1:8051)
  LOGSTASH_HOST/PORT   where the handler sends (default 127.0.0.1:5000)
  LOGSTASH_TRANSPORT   udp (LogstashHandler, the original) or tcp (TCPLogstashHandler)
  FAULTY_SUMMARY       file to write, at SIGTERM, the counts of the records logged
                       (the keys of faulty serve's --summary: total, loggers, levels,
                       logger_levels, exception_kinds, mime_types)

Run: python faultyapp.py   (stop with SIGTERM or SIGINT; the worker queue is
drained and the summary written before exit).
"""

import collections
import hashlib
import json
import logging
import mimetypes
import os
import queue
import random
import signal
import string
import sys
import textwrap
import threading

from django.conf import settings
from django.http import HttpResponse
from django.urls import path


class CountingHandler(logging.Handler):
    """Counts the records handed to the logstash handler, for the test."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lock_ = threading.Lock()
        self.counts = collections.defaultdict(collections.Counter)
        self.total = 0

    def emit(self, record):
        with self.lock_:
            c = self.counts
            c["loggers"][record.name] += 1
            c["levels"][record.levelname] += 1
            c["logger_levels"][record.name + " " + record.levelname] += 1
            if record.exc_info and record.exc_info[0] is not None:
                c["exception_kinds"][record.exc_info[0].__name__] += 1
            if record.name == "example.tasks":
                c["mime_types"][record.args[2]] += 1
            self.total += 1

    def summary(self):
        """The counts in the shape of faulty serve's --summary file."""
        with self.lock_:
            out = {k: dict(v) for k, v in self.counts.items()}
            levels = collections.defaultdict(dict)
            for key, n in out.pop("logger_levels", {}).items():
                logger, level = key.rsplit(" ", 1)
                levels[logger][level] = n
            out["logger_levels"] = dict(levels)
            out["total"] = self.total
            out["dropped"] = 0
            return out


COUNTER = CountingHandler()
LOGSTASH_HOST = os.environ.get("LOGSTASH_HOST", "127.0.0.1")
LOGSTASH_PORT = int(os.environ.get("LOGSTASH_PORT", "5000"))
HANDLER_CLASS = {
    "udp": "logstash.LogstashHandler",
    "tcp": "logstash.TCPLogstashHandler",
}[os.environ.get("LOGSTASH_TRANSPORT", "udp")]

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    SECRET_KEY="faulty-e2e-not-a-secret",
    MIDDLEWARE=[],
    LOGGING={
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {
            # As the original settings.py: python-logstash, format version 1.
            "logstash": {
                "level": "DEBUG",
                "class": HANDLER_CLASS,
                "host": LOGSTASH_HOST,
                "port": LOGSTASH_PORT,
                "version": 1,
                "message_type": "logstash",
                "fqdn": False,
                "tags": [],
            },
            "count": {"()": lambda: COUNTER},
        },
        "loggers": {
            "django.request": {"handlers": ["logstash", "count"], "level": "DEBUG", "propagate": False},
            "example.tasks": {"handlers": ["logstash", "count"], "level": "DEBUG", "propagate": False},
            # The development server's access log stays off the logstash handler.
            "django.server": {"handlers": [], "level": "CRITICAL", "propagate": False},
        },
    },
)

mimetypes.init()
MIME_TYPES = sorted(set(mimetypes.types_map.values()))
LEVELS = [logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL]
CHARS = string.ascii_letters + string.digits + " "
TASKS = queue.Queue(maxsize=10000)
task_log = logging.getLogger("example.tasks")


def process(content, length, mime_type):
    """The original's celery task."""
    digest = hashlib.sha1(content.encode("utf-8")).hexdigest()
    task_log.log(random.choice(LEVELS), "%s %d %s", digest, length, mime_type)


def worker():
    while True:
        item = TASKS.get()
        try:
            if item is None:
                return
            process(*item)
        finally:
            TASKS.task_done()


def index(request):
    if random.random() < 0.25:
        kind = random.choice(["assert", "index", "key"])
        if kind == "assert":
            assert False
        if kind == "index":
            return HttpResponse([][1])
        return HttpResponse({}["user"])
    content = "".join(random.choice(CHARS) for _ in range(random.randint(512, 2048)))
    body = "\n".join(textwrap.wrap(content, 50))
    mime_type = random.choice(MIME_TYPES)
    TASKS.put((body, len(body), mime_type))
    return HttpResponse(body, content_type=mime_type)


urlpatterns = [path("", index)]


def main():
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    host, _, port = os.environ.get("FAULTY_LISTEN", "127.0.0.1:8051").rpartition(":")
    app = get_wsgi_application()
    httpd = ThreadedWSGIServer((host, int(port)), WSGIRequestHandler)
    httpd.set_app(app)
    httpd.daemon_threads = True
    threading.Thread(target=worker, daemon=True).start()

    def stop(signum, frame):
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("serving on http://%s:%s/" % (host, port), flush=True)
    httpd.serve_forever()
    httpd.server_close()
    TASKS.put(None)
    TASKS.join()
    for h in logging.getLogger("example.tasks").handlers:
        h.flush()
    out = os.environ.get("FAULTY_SUMMARY")
    summary = COUNTER.summary()
    if out:
        with open(out, "w") as f:
            json.dump(summary, f, indent=1, sort_keys=True)
    print(json.dumps(summary, sort_keys=True), file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
