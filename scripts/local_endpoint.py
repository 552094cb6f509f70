#!/usr/bin/env python3
"""Embedded local AWS endpoint for tests and the demo: the faithful endpoint (moto server) + an OCI registry.

Both bind to 127.0.0.1 on free ports. The AWS side is tests/support/faithful_endpoint/ by default: moto's server
with ECS services that deploy over polls and answer in the shapes AWS answers (see its docstring); ``--plain-moto``
or ``BANDUP_ENDPOINT=moto`` start plain ``moto_server`` instead, for comparison. The registry uses htpasswd auth and accepts the
credentials that the endpoint's ``ecr:GetAuthorizationToken`` hands out, so the collection
logs in exactly as it would against real ECR.

    local_endpoint.py up   [--state-dir DIR] [--plain-moto]    start both, write DIR/env, wait until they answer
    local_endpoint.py down [--state-dir DIR]    stop what DIR/pids names (by pid, never by name)
    local_endpoint.py run  [--state-dir DIR] -- CMD...   up, run CMD with the env, down

This is a test fixture: nothing in plugins/ or roles/ knows about it.
"""
import argparse
import base64
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
REGION = "us-east-1"
ACCESS_KEY = "testing"
SECRET_KEY = "testing"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url, timeout=60):
    """Wait until url answers with any HTTP status."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                raise SystemExit(f"local endpoint: {url} did not answer within {timeout}s")
            time.sleep(0.2)


def ecr_password(endpoint):
    """The password part of the endpoint's ECR authorization token."""
    import boto3  # the venv's; imported late so `down` works without it

    ecr = boto3.client(
        "ecr", endpoint_url=endpoint, region_name=REGION,
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
    )
    token = ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
    user, password = base64.b64decode(token).decode().split(":", 1)
    return user, password


def start(cmd, log, env=None):
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    return {"pid": proc.pid, "argv0": cmd[0]}


def moto_server_bin():
    venv_bin = os.path.dirname(sys.executable)
    path = os.path.join(venv_bin, "moto_server")
    return path if os.path.exists(path) else shutil.which("moto_server")


def aws_command(plain_moto, port):
    """The command line of the AWS endpoint: the faithful endpoint, or moto_server with ``plain_moto``."""
    if plain_moto:
        moto_bin = moto_server_bin()
        if not moto_bin:
            raise SystemExit("local endpoint: moto_server not found; run `make setup` first")
        return [moto_bin, "-H", "127.0.0.1", "-p", str(port)]
    return [sys.executable, os.path.join(ROOT, "tests", "support", "faithful_endpoint"),
            "-H", "127.0.0.1", "-p", str(port)]


def up(state_dir, plain_moto=None):
    """Start the endpoint and the registry; ``plain_moto`` None: as BANDUP_ENDPOINT says (``moto`` or the default)."""
    if plain_moto is None:
        plain_moto = os.environ.get("BANDUP_ENDPOINT") == "moto"
    if os.path.exists(os.path.join(state_dir, "pids")):
        down(state_dir)
    os.makedirs(state_dir, exist_ok=True)
    # A new endpoint is an empty account and an empty registry.
    for leftover in ("registry", "moto_recording"):
        path = os.path.join(state_dir, leftover)
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.remove(path)
    registry_bin = shutil.which("docker-registry") or shutil.which("registry")
    htpasswd_bin = shutil.which("htpasswd")
    for name, path in (("docker-registry", registry_bin), ("htpasswd", htpasswd_bin)):
        if not path:
            raise SystemExit(f"local endpoint: {name} not found; run `make setup` first")

    pids = {}
    try:
        moto_port = free_port()
        # The request recorder writes to a file: keep it per endpoint, or parallel endpoints share one record.
        env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true",
                   MOTO_RECORDER_FILEPATH=os.path.join(state_dir, "moto_recording"),
                   MOTO_ECS_SERVICE_RUNNING=os.environ.get("MOTO_ECS_SERVICE_RUNNING", "2"))
        command = aws_command(plain_moto, moto_port)
        pids["moto"] = start(command, os.path.join(state_dir, "moto.log"), env)
        # _alive() matches the program in argv[0] or argv[1]: the script, for the faithful endpoint
        pids["moto"]["argv0"] = command[0] if plain_moto else command[1]
        endpoint = f"http://127.0.0.1:{moto_port}"
        wait_http(endpoint + "/moto-api/data.json")

        user, password = ecr_password(endpoint)
        htpasswd = os.path.join(state_dir, "htpasswd")
        line = subprocess.run([htpasswd_bin, "-Bbn", user, password], check=True,
                              capture_output=True, text=True).stdout.strip()
        with open(htpasswd, "w") as handle:
            handle.write(line + "\n")

        reg_port = free_port()
        config = os.path.join(state_dir, "registry.yml")
        with open(config, "w") as handle:
            # JSON is YAML: no YAML library needed here.
            json.dump({
                "version": 0.1,
                "log": {"level": "warn"},
                "storage": {"filesystem": {"rootdirectory": os.path.join(state_dir, "registry")},
                            "delete": {"enabled": True}},
                "http": {"addr": f"127.0.0.1:{reg_port}", "headers": {"X-Content-Type-Options": ["nosniff"]}},
                "auth": {"htpasswd": {"realm": "bandup-local", "path": htpasswd}},
            }, handle)
        pids["registry"] = start([registry_bin, "serve", config], os.path.join(state_dir, "registry.log"))
        registry = f"127.0.0.1:{reg_port}"
        wait_http(f"http://{registry}/v2/")
    finally:
        with open(os.path.join(state_dir, "pids"), "w") as handle:
            json.dump(pids, handle)

    values = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "BANDUP_REGISTRY": registry,
        "BANDUP_ENDPOINT": "moto" if plain_moto else "faithful",
    }
    with open(os.path.join(state_dir, "env"), "w") as handle:
        handle.write("# written by scripts/local_endpoint.py; source it to target the local endpoint\n")
        for key, value in values.items():
            handle.write(f"export {key}={shlex.quote(value)}\n")
    print(f"local endpoint up: AWS {endpoint} ({'moto_server' if plain_moto else 'faithful endpoint'}), registry {registry} (env in {state_dir}/env)")
    return values


def _alive(pid, argv0):
    """True if pid runs the program we started (guards against pid reuse)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            cmdline = handle.read().split(b"\0")
    except OSError:
        return False
    return any(os.path.basename(argv0).encode() in part for part in cmdline[:2])


def down(state_dir):
    path = os.path.join(state_dir, "pids")
    if not os.path.exists(path):
        print("local endpoint: nothing to stop")
        return
    with open(path) as handle:
        pids = json.load(handle)
    for name, entry in pids.items():
        pid = entry["pid"]
        if not _alive(pid, entry["argv0"]):
            continue
        os.killpg(pid, signal.SIGTERM)
        for _ in range(50):
            if not _alive(pid, entry["argv0"]):
                break
            time.sleep(0.1)
        else:
            os.killpg(pid, signal.SIGKILL)
        print(f"local endpoint: stopped {name} (pid {pid})")
    os.remove(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["up", "down", "run"])
    parser.add_argument("--state-dir", default=os.path.join(ROOT, ".local"))
    parser.add_argument("--plain-moto", action="store_true", default=os.environ.get("BANDUP_ENDPOINT") == "moto",
                        help="start plain moto_server instead of the faithful endpoint (also BANDUP_ENDPOINT=moto)")
    argv = sys.argv[1:]
    command = argv[argv.index("--") + 1:] if "--" in argv else []
    args = parser.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    state_dir = os.path.abspath(args.state_dir)
    if args.action == "up":
        up(state_dir, args.plain_moto)
    elif args.action == "down":
        down(state_dir)
    else:
        if not command:
            parser.error("run needs a command after --")
        try:
            values = up(state_dir, args.plain_moto)
            rc = subprocess.call(command, env=dict(os.environ, **values))
        finally:
            down(state_dir)
        sys.exit(rc)


if __name__ == "__main__":
    main()
