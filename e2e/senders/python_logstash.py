"""Sends log records through the real python-logstash handlers.

Used by e2e/senders_test.go: every record goes out through
logstash.TCPLogstashHandler (JSON lines) or logstash.LogstashHandler (one
JSON datagram each), in format version 1 or 0, as an application would. The
last line printed is a JSON summary of what was sent.

    python python_logstash.py --tcp 127.0.0.1:5000 --udp 127.0.0.1:5001 -n 50
"""
import argparse
import hashlib
import json
import logging
import random
import sys
import time

import logstash

MIME_TYPES = ["audio/mpeg", "text/html", "application/json", "image/png"]
LEVELS = [logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL]


def hostport(s):
    host, port = s.rsplit(":", 1)
    return host, int(port)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tcp", type=hostport, required=True)
    ap.add_argument("--udp", type=hostport, required=True)
    ap.add_argument("-n", type=int, default=20, help="task records per handler")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rnd = random.Random(args.seed)

    sent = []
    for transport in ("tcp", "udp"):
        for version in (1, 0):
            if transport == "tcp":
                handler = logstash.TCPLogstashHandler(args.tcp[0], args.tcp[1], version=version)
            else:
                handler = logstash.LogstashHandler(args.udp[0], args.udp[1], version=version)
            tag = "%s-v%d" % (transport, version)
            tasks = logging.getLogger("example.tasks." + tag)
            requests = logging.getLogger("django.request." + tag)
            for lg in (tasks, requests):
                lg.handlers = [handler]
                lg.setLevel(logging.DEBUG)
                lg.propagate = False
            for i in range(args.n):
                content = "".join(rnd.choice("abcdefghij \n") for _ in range(rnd.randint(512, 2048)))
                sha1 = hashlib.sha1(content.encode()).hexdigest()
                mime = rnd.choice(MIME_TYPES)
                level = rnd.choice(LEVELS)
                msg = "%s %d %s" % (sha1, len(content), mime)
                tasks.log(level, msg, extra={"seq": i, "sender": tag})
                sent.append({"logger": tasks.name, "message": msg, "sha1": sha1,
                             "length": len(content), "mime": mime, "version": version,
                             "transport": transport, "seq": i})
            requests.warning("Not Found: /missing", extra={"status_code": 404, "request": "<WSGIRequest: GET '/missing'>", "sender": tag})
            sent.append({"logger": requests.name, "message": "Not Found: /missing", "version": version, "transport": transport})
            try:
                [][1]
            except IndexError:
                requests.exception("Internal Server Error: /", extra={"status_code": 500, "sender": tag})
            sent.append({"logger": requests.name, "message": "Internal Server Error: /", "version": version,
                         "transport": transport, "exception": True})
            handler.close()
            time.sleep(0.05)
    print(json.dumps({"sent": sent}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
