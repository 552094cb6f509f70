"""End-to-end tests: the real ansible-playbook against a local AWS endpoint started for the test module."""
import contextlib
import json
import os
import subprocess
import sys
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from tests.support import recording  # noqa: E402  pylint: disable=wrong-import-position
from tests.support.census import census  # noqa: E402  pylint: disable=wrong-import-position
from tests.support import image_builds  # noqa: E402  pylint: disable=wrong-import-position

VENV_BIN = os.path.dirname(sys.executable)


class Endpoint:
    """A running local endpoint (moto + registry) and the environment that targets it."""

    def __init__(self, state_dir):
        self.state_dir = state_dir
        self.env = None
        self.url = None  # the endpoint itself (self.env may point the playbooks at a proxy in front of it)
        self.history = []  # every call recorded on this endpoint, across start_recording() resets
        self.recording = False

    def up(self):
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "local_endpoint.py"), "up",
                        "--state-dir", self.state_dir], check=True, capture_output=True)
        env = dict(os.environ)
        with open(os.path.join(self.state_dir, "env")) as handle:
            for line in handle:
                if line.startswith("export "):
                    key, value = line[len("export "):].strip().split("=", 1)
                    env[key] = value.strip("'")
        env["PATH"] = VENV_BIN + os.pathsep + env.get("PATH", "")
        env["ANSIBLE_CONFIG"] = os.path.join(ROOT, "ansible.cfg")
        env["ANSIBLE_NOCOLOR"] = "1"
        env["ANSIBLE_FORCE_COLOR"] = "0"
        self.env = env
        self.url = env["AWS_ENDPOINT_URL"]
        return self

    def down(self):
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "local_endpoint.py"), "down",
                        "--state-dir", self.state_dir], check=False, capture_output=True)

    def census(self):
        """{kind: count} of every resource the account holds (tests/support/census.py)."""
        return census(self.url)

    def reset(self):
        """Forget every resource (moto's reset) so a test starts from an empty account."""
        request = urllib.request.Request(self.url + "/moto-api/reset", method="POST", data=b"")
        urllib.request.urlopen(request, timeout=30).read()

    def start_recording(self):
        """Start a fresh record (what was recorded so far is kept in self.history)."""
        with _env(self.env):
            if self.recording:
                self.history += recording.summary()["calls"]
            recording.start()
        self.recording = True

    def all_calls(self):
        """Every call recorded on this endpoint so far."""
        with _env(self.env):
            return self.history + (recording.summary()["calls"] if self.recording else [])

    def recorded(self):
        with _env(self.env):
            return recording.summary()

    def playbook(self, *args, extra_vars=None, timeout=900):
        """Run ansible-playbook from the repository root; returns the CompletedProcess (stdout+stderr merged)."""
        command = [os.path.join(VENV_BIN, "ansible-playbook"), "-i", "inventories/local", *args]
        if extra_vars is not None:
            command += ["-e", json.dumps(extra_vars)]
        return subprocess.run(command, cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=timeout, check=False)


class _env:
    """Temporarily take an endpoint's AWS_* variables (for the recorder helpers)."""

    def __init__(self, env):
        self.env = env
        self.saved = None

    def __enter__(self):
        self.saved = os.environ.get("AWS_ENDPOINT_URL")
        os.environ["AWS_ENDPOINT_URL"] = self.env["AWS_ENDPOINT_URL"]

    def __exit__(self, *exc):
        if self.saved is None:
            os.environ.pop("AWS_ENDPOINT_URL", None)
        else:
            os.environ["AWS_ENDPOINT_URL"] = self.saved


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: long end-to-end runs, left to `make test-slow` (pytest -m slow)")
    config.addinivalue_line("markers", "alone: runs with no other test beside it (`make integration` runs these after "
                            "the others, on one worker): galaxy-importer gives ansible-lint 180 s, fixed in its code")


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    ep = Endpoint(str(tmp_path_factory.mktemp("endpoint"))).up()
    try:
        yield ep
    finally:
        ep.down()


@pytest.fixture
def fresh_endpoint(tmp_path):
    """An endpoint for one test alone: an empty account and an empty registry."""
    ep = Endpoint(str(tmp_path / "endpoint")).up()
    try:
        yield ep
    finally:
        ep.down()


@contextlib.contextmanager
def fault_proxy(endpoint, *options):
    """The endpoint's playbooks go through tests/support/faultproxy.py (started with `options`) meanwhile.

    Yields the proxy's URL; boto3 gets more attempts, as a user facing an unreliable network would set, and the
    look-up after a lost answer (plugins/module_utils/once.py) a window of 5 s: this endpoint's describes do not
    lag (unless its lag switch is on), and each dropped write would otherwise be looked for over the default 45 s."""
    proxy = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests", "support", "faultproxy.py"),
                              "--upstream", endpoint.url, *options], stdout=subprocess.PIPE, text=True)
    original = endpoint.env
    try:
        url = f"http://127.0.0.1:{int(proxy.stdout.readline().split()[-1])}"
        endpoint.env = dict(original, AWS_ENDPOINT_URL=url, AWS_MAX_ATTEMPTS="10", AWS_RETRY_MODE="standard",
                            BANDUP_LOOKUP_WINDOW="5")
        yield url
    finally:
        endpoint.env = original
        proxy.terminate()
        proxy.wait(timeout=30)


def proxy_report(url, what="counts"):
    """GET /faultproxy/counts (counters) or /faultproxy/lost (actions whose response was lost) from the proxy."""
    with urllib.request.urlopen(f"{url}/faultproxy/{what}", timeout=10) as response:
        return json.load(response)


@pytest.fixture(scope="session")
def apps():
    """The fixture images' build contexts, ready (busybox copied in by tests/fixtures/apps/prepare.yml)."""
    subprocess.run([os.path.join(VENV_BIN, "ansible-playbook"), os.path.join(ROOT, "tests", "fixtures", "apps",
                                                                              "prepare.yml")],
                   check=True, capture_output=True)


@pytest.fixture(scope="module")
def image_endpoint(tmp_path_factory):
    """The image tests' own local endpoint (moto + OCI registry): its environment (tests/support/image_builds.py)."""
    yield from image_builds.start_endpoint(tmp_path_factory)


@pytest.fixture(scope="module")
def image_apps(tmp_path_factory):
    """Copies of the fixture build contexts with busybox, for the image tests (tests/support/image_builds.py)."""
    return image_builds.copy_apps(tmp_path_factory)


def fresh_clone(dest):
    """What a fresh clone holds: the tracked files and the new ones git would track (as `make sanity` copies)."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                           capture_output=True).stdout.decode().split("\0")
    os.makedirs(dest)
    tar = subprocess.run(["tar", "-cf", "-", "--null", "-T", "-"], cwd=ROOT, check=True, capture_output=True,
                         input="\0".join(name for name in files if name).encode()).stdout
    subprocess.run(["tar", "-xf", "-", "-C", dest], check=True, input=tar)
    return dest


def recap(output):
    """The PLAY RECAP counters of localhost, e.g. {'ok': 10, 'changed': 0, 'failed': 0, ...}."""
    for line in reversed(output.splitlines()):
        if line.startswith("localhost") and "ok=" in line:
            return {k: int(v) for k, v in (part.split("=") for part in line.split(":", 1)[1].split())}
    raise AssertionError("no PLAY RECAP in output:\n" + output[-3000:])
