#!/usr/bin/env python3
"""procguardctl sync against the stand-in Santa server (santa_standin_server.py).

Each test starts its own server on 127.0.0.1 with a scenario, runs the
real procguardctl binary (PG_PROCGUARDCTL) with a private state folder and
managed policy file, and checks what the server received and what was
written. No root, no procguardd (the sync service without a daemon is
tested too: it must sync anyway and stop promptly on SIGTERM).
"""
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
CTL = os.environ.get("PG_PROCGUARDCTL", "procguardctl")
MACHINE = "3D1219C7-C4C5-404A-AA1F-6D2A48ADFDA4"
A = "a" * 64
B = "b" * 64
C = "c" * 64


class Server:
    def __init__(self, folder, scenario, tls=()):
        self.scenario_path = os.path.join(folder, "scenario.json")
        self.log_path = os.path.join(folder, "server.log")
        self.port_path = os.path.join(folder, "port")
        self.set(scenario)
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "santa_standin_server.py"),
             self.scenario_path, self.log_path, self.port_path] + list(tls))
        deadline = time.monotonic() + 10
        while not os.path.exists(self.port_path):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("the stand-in server did not start")
            time.sleep(0.02)
        with open(self.port_path) as f:
            self.url = "%s://127.0.0.1:%s" % ("https" if tls else "http", f.read().strip())

    def set(self, scenario):
        with open(self.scenario_path + ".tmp", "w") as f:
            json.dump(scenario, f)
        os.rename(self.scenario_path + ".tmp", self.scenario_path)

    def log(self):
        if not os.path.exists(self.log_path):
            return []
        with open(self.log_path) as f:
            return [json.loads(line) for line in f if line.strip()]

    def bodies(self, stage):
        return [e["body"] for e in self.log() if e["stage"] == stage and "body" in e]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class SyncTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pg-sync-test.")
        self.state = os.path.join(self.dir, "state")
        self.policy = os.path.join(self.dir, "policy.d", "50-santa.json")
        self.config = os.path.join(self.dir, "sync.json")
        with open(self.config, "w") as f:
            json.dump({"sync": {"backoff_ms": 20, "backoff_max_ms": 100, "attempts": 4,
                                "timeout_ms": 5000}}, f)
        self.server = None

    def tearDown(self):
        if self.server:
            self.server.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def start(self, scenario, tls=()):
        self.server = Server(self.dir, scenario, tls)

    def make_pki(self):
        """A CA, a server certificate for 127.0.0.1 and a client certificate, with openssl(1)."""
        pki = os.path.join(self.dir, "pki")
        os.makedirs(pki)

        def ossl(*args):
            subprocess.run(["openssl"] + list(args), cwd=pki, check=True,
                           capture_output=True, timeout=60)
        ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
             "/CN=Test CA", "-keyout", "ca.key", "-out", "ca.pem")
        for name, ext in (("server", "subjectAltName=IP:127.0.0.1"),
                          ("client", "extendedKeyUsage=clientAuth")):
            ossl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + name,
                 "-keyout", name + ".key", "-out", name + ".csr")
            with open(os.path.join(pki, name + ".ext"), "w") as f:
                f.write(ext + "\n")
            ossl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                 "-CAcreateserial", "-days", "2", "-extfile", name + ".ext",
                 "-out", name + ".pem")
        return {k: os.path.join(pki, v) for k, v in
                (("ca", "ca.pem"), ("cert", "server.pem"), ("key", "server.key"),
                 ("client_cert", "client.pem"), ("client_key", "client.key"))}

    def sync(self, *extra, once=True):
        args = [CTL, "sync", "--url", self.server.url, "--machine-id", MACHINE,
                "--config", self.config, "--state-dir", self.state,
                "--policy-file", self.policy, "--socket", os.path.join(self.dir, "no.sock")]
        if once:
            args.append("--once")
        return subprocess.run(args + list(extra), capture_output=True, text=True, timeout=60)

    def written(self):
        with open(self.policy) as f:
            return json.load(f)

    def sync_state(self):
        with open(os.path.join(self.state, "state.json")) as f:
            return json.load(f)

    def rules_by_pattern(self):
        return {r["pattern"]: r for r in self.written()["rules"]}

    # --- the stages, strictly ----------------------------------------------

    def test_first_sync_pages_rules_and_writes_one_managed_policy_file(self):
        self.start({"client_mode": "LOCKDOWN", "page_size": 2, "rules": [
            {"identifier": A, "rule_type": "BINARY", "policy": "ALLOWLIST"},
            {"identifier": B, "rule_type": "BINARY", "policy": "BLOCKLIST",
             "custom_msg": "Not on this machine.", "custom_url": "https://help.example/b"},
            {"identifier": C, "rule_type": "BINARY", "policy": "SILENT_BLOCKLIST",
             "custom_msg": "never shown"},
            {"identifier": "d" * 64, "rule_type": "CERTIFICATE", "policy": "ALLOWLIST"},
            {"identifier": "EQHXZ8M8AV", "rule_type": "TEAMID", "policy": "ALLOWLIST"}]})
        r = self.sync()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("mode lockdown, 3 rules", r.stdout)
        self.assertIn("2 ignored", r.stdout)
        stages = [e["stage"] for e in self.server.log() if "body" in e]
        # No events spooled: no eventupload; three pages of rules.
        self.assertEqual(stages, ["preflight", "ruledownload", "ruledownload", "ruledownload",
                                  "postflight"])
        # The XSRF dance happened once, and every stage then carried the token.
        self.assertEqual(sum(1 for e in self.server.log() if e["stage"] == "xsrf"), 1)
        cursors = [b.get("cursor") for b in self.server.bodies("ruledownload")]
        self.assertIsNone(cursors[0])
        self.assertTrue(cursors[1] and cursors[2] and cursors[1] != cursors[2])
        for e in self.server.log():
            if "headers" in e:
                self.assertEqual(e["headers"].get("Content-Encoding"), "deflate")
        pre = self.server.bodies("preflight")[0]
        self.assertEqual(pre["machine_id"], MACHINE)
        self.assertTrue(pre["request_clean_sync"])
        self.assertRegex(pre["os_version"], r"^\d+(\.\d+)*$")
        self.assertTrue(pre["hostname"])
        self.assertTrue(pre["santa_version"])
        self.assertEqual(pre["binary_rule_count"], 0)
        post = self.server.bodies("postflight")[0]
        self.assertEqual(post["rules_received"], 5)
        self.assertEqual(post["rules_processed"], 3)
        doc = self.written()
        self.assertEqual(doc["schema"], 3)
        self.assertEqual(doc["mode"], "lockdown")
        rules = self.rules_by_pattern()
        self.assertEqual(set(rules), {A, B, C})
        self.assertEqual(rules[A]["kind"], "sha256")
        self.assertEqual(rules[A]["action"], "allow")
        self.assertEqual(rules[B]["action"], "block")
        self.assertEqual(rules[B]["message"], "Not on this machine.")
        self.assertEqual(rules[B]["link"], "https://help.example/b")
        self.assertNotIn("message", rules[C])
        st = self.sync_state()
        self.assertEqual(st["server"], self.server.url)
        self.assertEqual(st["last_error"], "")
        self.assertGreater(st["last_success"], 0)
        self.assertEqual(st["rules"], 3)
        self.assertEqual(st["ignored_rules"], 2)

    def test_written_file_decides_a_binary_as_procguardctl_explains_it(self):
        program = os.path.join(self.dir, "tool")
        shutil.copy("/bin/true", program)
        with open(program, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        self.start({"client_mode": "LOCKDOWN", "rules": [
            {"identifier": digest.upper(), "rule_type": "BINARY", "policy": "ALLOWLIST"}]})
        self.assertEqual(self.sync().returncode, 0)
        r = subprocess.run([CTL, "explain", program, "--policy", self.policy, "--json"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        verdict = json.loads(r.stdout)
        # Lockdown blocks what no rule allows: the server's rule allows it.
        self.assertEqual(verdict["mode"], "lockdown", r.stdout)
        self.assertEqual(verdict["outcome"], "allow", r.stdout)
        self.assertEqual(verdict["decided_by"]["pattern"], digest, r.stdout)

    def test_incremental_sync_adds_and_removes_by_identifier(self):
        self.start({"client_mode": "MONITOR", "rules": [
            {"identifier": A, "rule_type": "BINARY", "policy": "ALLOWLIST"},
            {"identifier": B, "rule_type": "BINARY", "policy": "BLOCKLIST"}]})
        self.assertEqual(self.sync().returncode, 0)
        self.server.set({"client_mode": "LOCKDOWN", "sync_type": "normal", "rules": [
            {"identifier": A, "rule_type": "BINARY", "policy": "REMOVE"},
            {"identifier": C, "rule_type": "BINARY", "policy": "ALLOWLIST_COMPILER"}]})
        r = self.sync()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(set(self.rules_by_pattern()), {B, C})
        self.assertEqual(self.written()["mode"], "lockdown")
        pre = self.server.bodies("preflight")[1]
        self.assertFalse(pre["request_clean_sync"])
        self.assertEqual(pre["binary_rule_count"], 2)
        self.assertEqual(pre["client_mode"], "MONITOR")  # what was in force
        self.assertTrue(os.path.exists(self.policy + ".bak"))

    def test_clean_sync_replaces_the_rules_with_legacy_keys(self):
        self.start({"rules": [
            {"identifier": A, "rule_type": "BINARY", "policy": "ALLOWLIST"},
            {"identifier": B, "rule_type": "BINARY", "policy": "ALLOWLIST"}]})
        self.assertEqual(self.sync().returncode, 0)
        self.server.set({"sync_type": "clean", "legacy_keys": True, "rules": [
            {"identifier": C, "rule_type": "BINARY", "policy": "BLOCKLIST"}]})
        r = self.sync()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(set(self.rules_by_pattern()), {C})
        self.assertIn("clean sync", r.stdout)
        self.assertEqual(self.server.bodies("postflight")[-1]["sync_type"], "clean")

    def test_clean_option_asks_the_server_for_every_rule_anew(self):
        self.start({"rules": [
            {"identifier": A, "rule_type": "BINARY", "policy": "ALLOWLIST"},
            {"identifier": B, "rule_type": "BINARY", "policy": "ALLOWLIST"}]})
        self.assertEqual(self.sync().returncode, 0)
        self.server.set({"rules": [
            {"identifier": C, "rule_type": "BINARY", "policy": "ALLOWLIST"}]})
        self.assertEqual(self.sync().returncode, 0)
        self.assertEqual(set(self.rules_by_pattern()), {A, B, C})  # normal: merged
        r = self.sync("--clean")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(self.server.bodies("preflight")[-1]["request_clean_sync"])
        self.assertEqual(set(self.rules_by_pattern()), {C})  # clean: replaced

    def test_path_regexes_become_globs_or_are_reported(self):
        self.start({"allowed_path_regex": "^/opt/tools/.*",
                    "blocked_path_regex": "^/home/(a|b)/.*"})
        r = self.sync()
        self.assertEqual(r.returncode, 0, r.stderr)
        rules = self.rules_by_pattern()
        self.assertEqual(rules["/opt/tools/*"]["kind"], "glob")
        self.assertEqual(rules["/opt/tools/*"]["action"], "allow")
        self.assertEqual(len(rules), 1)
        self.assertIn("blocked_path_regex", r.stderr)

    # --- HTTP behaviour --------------------------------------------------------

    def test_unavailable_server_is_retried_with_bounded_back_off(self):
        self.start({"fail": {"preflight": 2, "ruledownload": 1}, "rules": [
            {"identifier": A, "rule_type": "BINARY", "policy": "ALLOWLIST"}]})
        r = self.sync()
        self.assertEqual(r.returncode, 0, r.stderr)
        injected = [e["stage"] for e in self.server.log() if e.get("error") == "injected 503"]
        self.assertEqual(injected, ["preflight", "preflight", "ruledownload"])

    def test_server_down_for_good_fails_after_the_configured_attempts(self):
        self.start({"fail": {"preflight": 100}})
        t0 = time.monotonic()
        r = self.sync()
        self.assertEqual(r.returncode, 1)
        self.assertIn("preflight failed after 4 attempts", r.stderr)
        self.assertLess(time.monotonic() - t0, 30)
        self.assertEqual(
            sum(1 for e in self.server.log() if e.get("error") == "injected 503"), 4)
        self.assertIn("preflight", self.sync_state()["last_error"])
        self.assertFalse(os.path.exists(self.policy))

    def test_refused_postflight_changes_nothing_in_force(self):
        self.start({"rules": [{"identifier": A, "rule_type": "BINARY", "policy": "ALLOWLIST"}]})
        self.assertEqual(self.sync().returncode, 0)
        with open(self.policy) as f:
            before = f.read()
        self.server.set({"sync_type": "clean", "refuse": {"postflight": 400}, "rules": [
            {"identifier": B, "rule_type": "BINARY", "policy": "BLOCKLIST"}]})
        r = self.sync()
        self.assertEqual(r.returncode, 1)
        self.assertIn("refused the postflight (HTTP 400", r.stderr)
        with open(self.policy) as f:
            self.assertEqual(f.read(), before)
        st = self.sync_state()
        self.assertIn("postflight", st["last_error"])
        self.assertGreater(st["last_success"], 0)

    def test_uncompressed_bodies_are_refused_by_a_strict_server(self):
        self.start({})
        r = self.sync("--no-compression")
        self.assertEqual(r.returncode, 1)
        self.assertIn("HTTP 415", r.stderr)
        self.server.set({"accept_plain": True})
        r = self.sync("--no-compression")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("Content-Encoding", self.server.log()[-1]["headers"])

    def test_a_machine_id_that_is_no_uuid_is_refused_by_the_server(self):
        self.start({})
        r = subprocess.run([CTL, "sync", "--once", "--url", self.server.url, "--machine-id",
                            "not-a-uuid", "--config", self.config, "--state-dir", self.state,
                            "--policy-file", self.policy],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn("HTTP 400", r.stderr)

    def test_default_machine_id_is_this_machines_uuid(self):
        with open("/etc/machine-id") as f:
            raw = f.read().strip()
        expected = "-".join([raw[0:8], raw[8:12], raw[12:16], raw[16:20], raw[20:32]]).upper()
        self.start({})
        r = subprocess.run([CTL, "sync", "--once", "--url", self.server.url,
                            "--config", self.config, "--state-dir", self.state,
                            "--policy-file", self.policy],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.server.bodies("preflight")[0]["machine_id"], expected)

    def test_extra_headers_are_sent_with_every_stage(self):
        self.start({})
        r = self.sync("--header", "Authorization: Bearer s3cret")
        self.assertEqual(r.returncode, 0, r.stderr)
        for e in self.server.log():
            if "headers" in e:
                self.assertEqual(e["headers"].get("Authorization"), "Bearer s3cret")

    def test_https_with_a_private_ca_and_a_client_certificate(self):
        pki = self.make_pki()
        self.start({"rules": [{"identifier": A, "rule_type": "BINARY", "policy": "ALLOWLIST"}]},
                   tls=(pki["cert"], pki["key"], pki["ca"]))
        # The server's certificate is not trusted by the system store: one
        # try, no retries (trying again cannot help).
        r = self.sync()
        self.assertEqual(r.returncode, 1)
        self.assertIn("The preflight failed (", r.stderr)
        self.assertIn("certificate", r.stderr)
        # Trusted, but no client certificate: the handshake fails.
        r = self.sync("--ca-file", pki["ca"])
        self.assertEqual(r.returncode, 1)
        self.assertEqual(self.server.bodies("preflight"), [])
        # Both: the sync goes through.
        r = self.sync("--ca-file", pki["ca"], "--client-cert", pki["client_cert"],
                      "--client-key", pki["client_key"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(set(self.rules_by_pattern()), {A})

    # --- events ------------------------------------------------------------------

    def spool(self, events):
        os.makedirs(self.state, exist_ok=True)
        with open(os.path.join(self.state, "events.jsonl"), "w") as f:
            for e in events:
                f.write(json.dumps(e) + "\n")

    def event(self, decision, n):
        return {"file_sha256": A, "file_path": "/opt/app", "file_name": "tool%d" % n,
                "executing_user": "alice", "execution_time": 1700000000.5 + n,
                "decision": decision, "pid": 100 + n, "ppid": 1, "parent_name": "bash"}

    def test_spooled_blocks_are_uploaded_in_batches_and_leave_the_spool(self):
        self.spool([self.event("BLOCK_UNKNOWN", n) for n in range(5)] +
                   [self.event("ALLOW_BINARY", 9)])
        self.start({"batch_size": 2})
        r = self.sync()
        self.assertEqual(r.returncode, 0, r.stderr)
        uploads = self.server.bodies("eventupload")
        self.assertEqual([len(u["events"]) for u in uploads], [2, 2, 1])
        first = uploads[0]["events"][0]
        for key in ("file_sha256", "file_path", "file_name", "executing_user",
                    "execution_time", "decision", "pid", "ppid", "parent_name"):
            self.assertIn(key, first)
        self.assertEqual(first["decision"], "BLOCK_UNKNOWN")
        self.assertIn("5 events uploaded", r.stdout)
        with open(os.path.join(self.state, "events.jsonl")) as f:
            self.assertEqual(f.read(), "")

    def test_all_decisions_are_uploaded_when_the_server_enables_it(self):
        self.spool([self.event("ALLOW_BINARY", 1), self.event("BLOCK_BINARY", 2)])
        self.start({"enable_all_event_upload": True})
        self.assertEqual(self.sync().returncode, 0)
        decisions = [e["decision"] for u in self.server.bodies("eventupload") for e in u["events"]]
        self.assertEqual(decisions, ["ALLOW_BINARY", "BLOCK_BINARY"])
        self.assertTrue(self.sync_state()["upload_all_events"])

    def test_events_stay_spooled_when_the_upload_fails(self):
        self.spool([self.event("BLOCK_BINARY", n) for n in range(3)])
        self.start({"refuse": {"eventupload": 500}})
        r = self.sync()
        self.assertEqual(r.returncode, 1)
        with open(os.path.join(self.state, "events.jsonl")) as f:
            self.assertEqual(len(f.read().splitlines()), 3)
        self.assertEqual(self.sync_state()["events_spooled"], 3)
        self.server.set({})
        self.assertEqual(self.sync().returncode, 0)
        self.assertEqual(len(self.server.bodies("eventupload")[-1]["events"]), 3)

    # --- the service ---------------------------------------------------------------

    def test_service_syncs_without_procguardd_and_stops_on_sigterm(self):
        self.start({"rules": [{"identifier": A, "rule_type": "BINARY", "policy": "ALLOWLIST"}]})
        args = [CTL, "sync", "--url", self.server.url, "--machine-id", MACHINE,
                "--config", self.config, "--state-dir", self.state,
                "--policy-file", self.policy, "--socket", os.path.join(self.dir, "no.sock")]
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 20
        while not os.path.exists(self.policy) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertTrue(os.path.exists(self.policy))
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
        self.assertLess(time.monotonic() - t0, 5)
        self.assertEqual(proc.returncode, 0, err)
        self.assertIn("procguardd is not reachable", err)
        self.assertIn("Synced with", out)


if __name__ == "__main__":
    unittest.main()
