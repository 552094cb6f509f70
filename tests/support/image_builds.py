"""The image tests' local endpoint and build contexts (tests/integration/test_image_roles.py and
test_docker_builder.py; their fixtures ``image_endpoint`` and ``image_apps`` are in tests/integration/conftest.py):
ansible-playbook on copies of the fixture build contexts, and the registry read back over HTTP."""
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "apps")
VENV_BIN = os.path.dirname(sys.executable)
REPOS = ("ielts-bandup-local-backend", "ielts-bandup-local-frontend")


def start_endpoint(tmp_path_factory):
    """Yields the environment of a new local endpoint (moto + OCI registry); stops it afterwards."""
    state = tmp_path_factory.mktemp("endpoint")
    script = os.path.join(ROOT, "scripts", "local_endpoint.py")
    subprocess.run([sys.executable, script, "up", "--state-dir", str(state)], check=True, cwd=state,
                   stdout=subprocess.DEVNULL)
    env = dict(os.environ)
    with open(state / "env", encoding="utf-8") as handle:
        for line in handle:
            match = re.match(r"export (\w+)=(.*)$", line.strip())
            if match:
                env[match.group(1)] = match.group(2).strip("'")
    saved = dict(os.environ)
    os.environ.update(env)  # recording.py reads AWS_ENDPOINT_URL
    try:
        yield env
    finally:
        os.environ.clear()
        os.environ.update(saved)
        subprocess.run([sys.executable, script, "down", "--state-dir", str(state)], check=False,
                       stdout=subprocess.DEVNULL)


def copy_apps(tmp_path_factory):
    """Copies of the fixture build contexts, with busybox."""
    root = tmp_path_factory.mktemp("apps")
    for app in ("backend", "frontend"):
        shutil.copytree(os.path.join(FIXTURES, app), root / app, symlinks=True,
                        ignore=shutil.ignore_patterns("busybox"))
        shutil.copyfile("/bin/busybox", root / app / "busybox")
        os.chmod(root / app / "busybox", 0o755)
    return root


def playbook(env, apps, *args):
    cmd = [os.path.join(VENV_BIN, "ansible-playbook"), "-e", f"bandup_fixture_apps={apps}", *args]
    proc = subprocess.run(cmd, cwd=ROOT, env=dict(env, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
                                                 ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0"),
                          capture_output=True, text=True, check=False)
    # The last recap counts every play of every playbook given.
    recaps = re.findall(r"localhost\s+: ok=\d+\s+changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)", proc.stdout)
    return proc, (int(recaps[-1][0]), int(recaps[-1][1])) if recaps else None


def registry_tags(env):
    """{repository: {tag: digest}} as the registry serves them."""
    user_pass = ecr_basic_auth(env)
    out = {}
    for repo in REPOS:
        url = f"http://{env['BANDUP_REGISTRY']}/v2/{repo}"
        request = urllib.request.Request(url + "/tags/list", headers={"Authorization": user_pass})
        try:
            with urllib.request.urlopen(request) as response:
                tags = json.load(response).get("tags") or []
        except urllib.error.HTTPError as err:
            assert err.code == 404
            tags = []
        out[repo] = {}
        for tag in tags:
            request = urllib.request.Request(url + "/manifests/" + tag, method="HEAD", headers={
                "Authorization": user_pass,
                "Accept": "application/vnd.oci.image.manifest.v1+json, "
                          "application/vnd.docker.distribution.manifest.v2+json"})
            with urllib.request.urlopen(request) as response:
                out[repo][tag] = response.headers["Docker-Content-Digest"]
    return out


def ecr_basic_auth(env):
    import boto3
    client = boto3.client("ecr", endpoint_url=env["AWS_ENDPOINT_URL"], region_name=env["AWS_REGION"],
                          aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])
    token = client.get_authorization_token()["authorizationData"][0]["authorizationToken"]
    assert base64.b64decode(token).startswith(b"AWS:")
    return "Basic " + token


def image_architecture(env, repository, tag):
    """The architecture the image's config says (manifest -> config blob), read from the registry."""
    base = f"http://{env['BANDUP_REGISTRY']}/v2/{repository}"
    headers = {"Authorization": ecr_basic_auth(env), "Accept": "application/vnd.oci.image.manifest.v1+json, "
                                                              "application/vnd.docker.distribution.manifest.v2+json"}
    with urllib.request.urlopen(urllib.request.Request(f"{base}/manifests/{tag}", headers=headers)) as response:
        config = json.load(response)["config"]["digest"]
    with urllib.request.urlopen(urllib.request.Request(f"{base}/blobs/{config}", headers=headers)) as response:
        return json.load(response)["architecture"]
