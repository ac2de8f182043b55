#!/usr/bin/env python3
"""Checks the calendar-agent image that scripts/image.sh built, without a container runtime.

1. Its config: a non-root numeric user, the binary as entrypoint, port 3000 exposed, HOST and
   PORT set, no secret in the environment.
2. Its filesystem, exported from podman into a folder: the service is started from it exactly as
   a container engine would (chroot into it, its WORKDIR, its user, only its environment), first
   with nothing but a DATABASE_URL (/healthz and /readyz answer 200), then with Google pointed at
   a stand-in served over TLS whose throwaway CA is added to the exported CA bundle: a sign-in
   and a presigned list_events call succeed, which shows the binary finds its libraries and reads
   TLS roots from inside the image. Then SIGTERM: it drains and exits.

usage: scripts/image_check.py IMAGE_TAG   (as root: chroot)
"""

import http.client
import http.server
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

USER = "ada@example.com"
SECRET_VARIABLES = [
    "PRESIGN_SECRET", "PRESIGN_SECRET_PREVIOUS", "COOKIE_SECRET", "TOKEN_ENCRYPTION_KEY",
    "TOKEN_ENCRYPTION_KEY_PREVIOUS", "ANAM_API_KEY", "GOOGLE_CLIENT_SECRET", "DATABASE_URL",
]
BUNDLE = "etc/ssl/certs/ca-certificates.crt"


def fail(message):
    print(f"image check FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)
    print(f"  ok: {message}")


def podman(*args):
    return subprocess.run(["podman", *args], check=True, capture_output=True, text=True).stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def inspect(tag):
    config = json.loads(podman("image", "inspect", tag))[0]["Config"]
    user = config.get("User", "")
    uid, _, gid = user.partition(":")
    check(uid.isdigit() and int(uid) != 0 and gid.isdigit() and int(gid) != 0,
          f"runs as a non-root numeric user ({user})")
    check(config.get("Entrypoint") == ["/calendar-agent"], "the binary is the entrypoint")
    check("3000/tcp" in (config.get("ExposedPorts") or {}), "port 3000 is exposed")
    env = dict(e.split("=", 1) for e in config.get("Env") or [])
    check(env.get("HOST") == "0.0.0.0" and env.get("PORT") == "3000", "HOST=0.0.0.0 and PORT=3000")
    check(not any(name in env or f"{name}_FILE" in env for name in SECRET_VARIABLES),
          "no secret in the image's environment")
    check(config.get("WorkingDir") == "/data", "works in /data")
    return int(uid), int(gid), env


def export(tag, into):
    container = podman("create", tag).strip().splitlines()[-1]
    try:
        tar = os.path.join(into, "fs.tar")
        podman("export", container, "-o", tar)
    finally:
        subprocess.run(["podman", "rm", container], capture_output=True)
    root = os.path.join(into, "root")
    os.mkdir(root)
    subprocess.run(["tar", "-xpf", tar, "-C", root], check=True)
    os.remove(tar)
    files = sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)
    check("calendar-agent" in files and BUNDLE in files, "the binary and the CA bundle are inside")
    check(not os.path.exists(os.path.join(root, "bin/sh")), "no shell or other tools inside")
    print(f"  ({len(files)} files: {', '.join(files)})")
    return root


def throwaway_tls(into):
    """A CA and a certificate for 127.0.0.1 it signed."""
    def openssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=into)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=check CA",
            "-keyout", "ca.key", "-out", "ca.pem")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
            "-keyout", "server.key", "-out", "server.csr")
    with open(os.path.join(into, "san.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "1", "-extfile", "san.cnf", "-out", "server.pem")
    return [os.path.join(into, n) for n in ("ca.pem", "server.pem", "server.key")]


class StandIn(http.server.BaseHTTPRequestHandler):
    """Google's token, userinfo and Calendar endpoints, as far as sign-in and list_events go."""
    seen = []
    scope = ""

    def log_message(self, *args):
        pass

    def answer(self, body, status=200):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", "0")))
        StandIn.seen.append(("POST", self.path, self.headers.get("authorization")))
        if self.path.startswith("/token"):
            return self.answer({"access_token": "at-check", "expires_in": 3600, "token_type": "Bearer",
                                "refresh_token": "rt-check", "scope": StandIn.scope})
        self.answer({"error": {"code": 404, "message": "no"}}, 404)

    def do_GET(self):
        StandIn.seen.append(("GET", self.path, self.headers.get("authorization")))
        path = urllib.parse.urlparse(self.path).path
        if path == "/userinfo":
            return self.answer({"email": USER, "email_verified": True})
        if path == "/calendar/v3/users/me/settings/timezone":
            return self.answer({"value": "Europe/Berlin"})
        if path == "/calendar/v3/users/me/calendarList":
            return self.answer({"items": [{"id": USER, "primary": True, "selected": True, "summary": "Ada"}]})
        if path == "/calendar/v3/calendars/primary/events":
            day = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400))
            return self.answer({"items": [{"id": "e1", "status": "confirmed", "summary": "Dentist",
                                           "start": {"dateTime": f"{day}T09:00:00Z"},
                                           "end": {"dateTime": f"{day}T10:00:00Z"}}]})
        self.answer({"error": {"code": 404, "message": "no"}}, 404)


def serve_tls(cert, key):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def run_in_image(root, uid, gid, env, args=(), capture=False):
    """What a container engine does: chroot, WORKDIR, USER, only the given environment."""
    def enter():
        os.chroot(root)
        os.chdir("/data")
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    kwargs = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True} if capture else {
        "stdout": subprocess.DEVNULL, "stderr": open(os.path.join(root, "..", "server.log"), "a")}
    return subprocess.Popen(["/calendar-agent", *args], env=env, preexec_fn=enter, **kwargs)


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    return response.status, response.getheaders(), data


def wait_until_up(port, process):
    for _ in range(100):
        if process.poll() is not None:
            fail(f"the service exited at start ({process.returncode}); see the log above")
        try:
            if request(port, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    fail("the service did not answer /healthz within 10 s")


def stop(process, grace):
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace + 10)
    except subprocess.TimeoutExpired:
        process.kill()
        fail("the service did not exit within the grace period + 10 s")
    return time.monotonic() - started


def bare_start(root, uid, gid, image_env):
    port = free_port()
    env = dict(image_env, PORT=str(port), DATABASE_URL="sqlite:///data/bare.db")
    server = run_in_image(root, uid, gid, env)
    try:
        wait_until_up(port, server)
        check(request(port, "GET", "/healthz")[0] == 200, "/healthz answers 200 with only DATABASE_URL set")
        check(request(port, "GET", "/readyz")[0] == 200, "/readyz answers 200 (the store opened under /data)")
    finally:
        took = stop(server, 5)
    check(server.returncode == 0, f"SIGTERM: drained and exited cleanly in {took:.1f} s")


def tool_call(root, uid, gid, image_env, google_port):
    port = free_port()
    google = f"https://127.0.0.1:{google_port}"
    env = dict(image_env, PORT=str(port), DATABASE_URL="sqlite:///data/check.db",
               PRESIGN_SECRET="image-check-presign-secret-0123456789abcdef",
               TOKEN_ENCRYPTION_KEY="db3dd127276eaf42bec68ab7633227ddd51355d75ab0af8fca90443576259bbc", GOOGLE_CLIENT_ID="check-client",
               GOOGLE_CLIENT_SECRET="check-secret", GOOGLE_AUTH_URL=f"{google}/auth",
               GOOGLE_TOKEN_URL=f"{google}/token", GOOGLE_USERINFO_URL=f"{google}/userinfo",
               GOOGLE_CALENDAR_BASE_URL=f"{google}/calendar/v3/", SHUTDOWN_GRACE_SECONDS="1")
    server = run_in_image(root, uid, gid, env)
    try:
        wait_until_up(port, server)
        status, headers, _ = request(port, "GET", "/api/auth/google")
        check(status in (302, 303, 307), "sign-in redirects to the consent screen")
        location = dict(headers)["location"]
        query = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)
        StandIn.scope = query["scope"][0]
        cookies = "; ".join(v.split(";", 1)[0] for k, v in headers if k.lower() == "set-cookie")
        callback = "/api/auth/google/callback?" + urllib.parse.urlencode({"code": "c1", "state": query["state"][0]})
        status, headers, body = request(port, "GET", callback, headers={"cookie": cookies})
        check(status in (302, 303) and dict(headers).get("location") == "/",
              f"the callback exchanged the code with the stand-in over TLS ({status} {body[:200]!r})")
        signer = run_in_image(root, uid, gid, env, ["sign-url", "/api/calendar/list-events", "--user", USER], capture=True)
        url = signer.communicate(timeout=20)[0].strip().splitlines()[-1]
        check(signer.returncode == 0 and "sig=" in url, "sign-url prints a presigned URL")
        target = urllib.parse.urlparse(url)
        status, _, body = request(port, "POST", f"{target.path}?{target.query}", b"{}",
                                  {"content-type": "application/json"})
        answer = json.loads(body or b"{}")
        check(status == 200 and answer.get("count") == 1 and answer["events"][0]["title"] == "Dentist",
              f"a presigned list_events call reads the calendar through TLS ({status} {body[:200]!r})")
        check(any(p.startswith("/calendar/v3/calendars/primary/events") and a == "Bearer at-check"
                  for _, p, a in StandIn.seen), "the stand-in saw the Calendar call with the user's token")
    finally:
        stop(server, 1)


def main():
    if len(sys.argv) != 2:
        fail("usage: image_check.py IMAGE_TAG")
    if os.geteuid() != 0:
        fail("run as root: the check chroots into the exported image")
    tag = sys.argv[1]
    work = tempfile.mkdtemp(prefix="calendar-agent-image-check.")
    try:
        print(f"checking {tag}")
        uid, gid, image_env = inspect(tag)
        root = export(tag, work)
        ca, cert, key = throwaway_tls(work)
        # Only this check's copy of the tree trusts the throwaway CA; the image is unchanged.
        with open(os.path.join(root, BUNDLE), "a") as bundle, open(ca) as extra:
            bundle.write("\n" + extra.read())
        google_port = serve_tls(cert, key)
        bare_start(root, uid, gid, image_env)
        tool_call(root, uid, gid, image_env, google_port)
        print(f"image check passed: {tag}")
    except SystemExit:
        log = os.path.join(work, "server.log")
        if os.path.exists(log):
            print(open(log).read()[-4000:], file=sys.stderr)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
