#!/usr/bin/env python3
"""A stand-in Santa sync server for ProcGuard's tests. Never shipped.

It mimics the strictest behaviours known from real servers (Moroz,
Zentral, Rudolph, Google's own):

  * request bodies must be JSON (Content-Type: application/json) compressed
    with Content-Encoding: deflate (zlib) unless the scenario says
    "accept_plain";
  * the machine id in every URL must be a UUID;
  * every stage needs an X-XSRF-TOKEN header from POST /xsrf/{machine_id}
    (403 without it);
  * every JSON answer starts with the anti-hijacking prefix )]}' and a
    line break, and answers are deflate-compressed when the client accepts
    it;
  * rules are paged: "page_size" rules per ruledownload answer, with an
    opaque cursor while more follow;
  * answers may carry fields a client must ignore;
  * a preflight with request_clean_sync gets sync_type "clean" (unless the
    scenario sets sync_type itself).

Scenario (a JSON file, re-read on every request so a test can change it
between syncs):
  {"client_mode": "LOCKDOWN", "sync_type": "clean" | "normal" | null,
   "legacy_keys": false,          # "sha256"/"clean_sync" instead of the new names
   "rules": [ {...santa rule...} ], "page_size": 2,
   "batch_size": 50, "full_sync_interval": 600,
   "enable_all_event_upload": false,
   "allowed_path_regex": null, "blocked_path_regex": null,
   "fail": {"preflight": 2},      # answer 503 this many times first
   "refuse": {"postflight": 400}, # answer this status every time
   "accept_plain": false}

Every request that reaches a stage is appended to the log file as one JSON
line: {"stage", "machine_id", "headers", "body"} (the body decoded).

Usage: santa_standin_server.py SCENARIO LOG PORTFILE [CERT KEY [CLIENT_CA]]
It listens on 127.0.0.1 on a free port, writes the port to PORTFILE and
serves until SIGTERM. With CERT and KEY it speaks HTTPS only; with
CLIENT_CA it also requires a client certificate signed by that CA
(mutual TLS, as servers behind a corporate proxy do).
"""
import json
import re
import secrets
import signal
import ssl
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UUID = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")
STAGES = ("preflight", "eventupload", "ruledownload", "postflight")

scenario_path, log_path, port_path = sys.argv[1:4]
tls = sys.argv[4:7]
lock = threading.Lock()
tokens = set()
failures = {}
cursors = {}


def scenario():
    with open(scenario_path) as f:
        return json.load(f)


def log(entry):
    with lock, open(log_path, "a") as f:
        f.write(json.dumps(entry) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this, Nagle's algorithm
    # and the client's delayed ACK add ~40 ms to every kept-alive request.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def answer(self, status, obj=None, headers=None):
        body = b""
        extra = dict(headers or {})
        if obj is not None:
            body = (")]}'\n" + json.dumps(obj)).encode()
            extra["Content-Type"] = "application/json"
            if "deflate" in self.headers.get("Accept-Encoding", ""):
                body = zlib.compress(body)
                extra["Content-Encoding"] = "deflate"
        self.send_response(status)
        for k, v in extra.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.answer(405, {"error": "POST only"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length) if length else b""
        parts = self.path.strip("/").split("/")
        sc = scenario()
        if len(parts) != 2:
            return self.answer(404, {"error": "unknown path"})
        stage, machine_id = parts
        if not UUID.match(machine_id):
            log({"stage": stage, "machine_id": machine_id, "error": "machine id is no UUID"})
            return self.answer(400, {"error": "machine id is not a UUID"})
        if stage == "xsrf":
            token = secrets.token_hex(16)
            tokens.add(token)
            log({"stage": "xsrf", "machine_id": machine_id})
            return self.answer(200, None, {"X-XSRF-TOKEN": token})
        if stage not in STAGES:
            return self.answer(404, {"error": "unknown stage"})
        if self.headers.get("X-XSRF-TOKEN") not in tokens:
            log({"stage": stage, "machine_id": machine_id, "error": "no xsrf"})
            return self.answer(403, {"error": "xsrf"})
        if not self.headers.get("Content-Type", "").startswith("application/json"):
            log({"stage": stage, "machine_id": machine_id, "error": "not json"})
            return self.answer(415, {"error": "Content-Type must be application/json"})
        if self.headers.get("Content-Encoding") == "deflate":
            try:
                raw = zlib.decompress(raw)
            except zlib.error:
                return self.answer(400, {"error": "bad deflate body"})
        elif not sc.get("accept_plain", False):
            log({"stage": stage, "machine_id": machine_id, "error": "not compressed"})
            return self.answer(415, {"error": "compressed bodies required"})
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return self.answer(400, {"error": "body is not JSON"})
        key = (machine_id, stage)
        with lock:
            failures[key] = failures.get(key, 0) + 1
            attempt = failures[key]
        if attempt <= sc.get("fail", {}).get(stage, 0):
            log({"stage": stage, "machine_id": machine_id, "error": "injected 503"})
            return self.answer(503, {"error": "try later"})
        if stage in sc.get("refuse", {}):
            log({"stage": stage, "machine_id": machine_id, "error": "refused"})
            return self.answer(sc["refuse"][stage], {"error": "refused"})
        log({"stage": stage, "machine_id": machine_id,
             "headers": {k: v for k, v in self.headers.items()}, "body": body})
        getattr(self, "stage_" + stage)(sc, machine_id, body)

    def stage_preflight(self, sc, machine_id, body):
        reply = {"batch_size": sc.get("batch_size", 50),
                 "full_sync_interval": sc.get("full_sync_interval", 600),
                 "client_mode": sc.get("client_mode", "MONITOR"),
                 "enable_bundles": False, "enable_transitive_rules": False,
                 "block_usb_mount": False, "some_future_field": {"x": 1},
                 "enable_all_event_upload": sc.get("enable_all_event_upload", False)}
        for k in ("allowed_path_regex", "blocked_path_regex"):
            if sc.get(k) is not None:
                reply[k] = sc[k]
        st = sc.get("sync_type")
        if st is None and body.get("request_clean_sync"):
            st = "clean"
        if st is not None:
            if sc.get("legacy_keys"):
                reply["clean_sync"] = st != "normal"
            else:
                reply["sync_type"] = st
        self.answer(200, reply)

    def stage_eventupload(self, sc, machine_id, body):
        self.answer(200, {"event_upload_bundle_binaries": []})

    def stage_ruledownload(self, sc, machine_id, body):
        rules = sc.get("rules", [])
        size = sc.get("page_size", 2)
        cursor = body.get("cursor")
        start = 0
        if cursor is not None:
            if cursor not in cursors:
                return self.answer(400, {"error": "unknown cursor"})
            start = cursors.pop(cursor)
        page = rules[start:start + size]
        if sc.get("legacy_keys"):
            page = [dict({("sha256" if k == "identifier" else k): v for k, v in r.items()})
                    for r in page]
        reply = {"rules": page}
        if start + size < len(rules):
            token = secrets.token_urlsafe(12)
            cursors[token] = start + size
            reply["cursor"] = token
        self.answer(200, reply)

    def stage_postflight(self, sc, machine_id, body):
        self.answer(200, {})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
if tls:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls[0], tls[1])
    if len(tls) > 2:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(tls[2])
    server.socket = context.wrap_socket(server.socket, server_side=True)
signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=server.shutdown).start())
with open(port_path + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os  # noqa: E402
os.rename(port_path + ".tmp", port_path)
server.serve_forever()
