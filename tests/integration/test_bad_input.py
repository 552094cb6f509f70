"""Bad input is refused before any AWS write, with a message naming the variable, on an EXISTING deployment.

The deployment is converged once for the module; each case then runs the real `ansible-playbook site.yml` with one
invalid setting and asserts: the run fails, the output names the variable, and the endpoint's request record holds
no write. A converge afterwards changes nothing. Every case of the catalogue (tests/support/bad_input.py) also runs
through the validation code directly (tests/unit/plugins/plugin_utils/test_bad_input_catalogue.py), and each bound
of the constraint table is checked there (test_constraints.py): this file runs a sample through site.yml, the
changes AWS cannot make in place (they need the live resources), and playbooks/validate.yml with three mistakes.
"""
import boto3
import pytest

from conftest import recap
from tests.support.bad_input import CASES, FIXED_CASES, SITE_SAMPLE, SERVICES, services

SAMPLE = [case for case in CASES if case[0] in SITE_SAMPLE] + FIXED_CASES


@pytest.fixture(scope="module")
def deployed(endpoint, apps):  # pylint: disable=unused-argument
    """The local inventory's deployment, converged once for the module."""
    result = endpoint.playbook("site.yml")
    assert result.returncode == 0, result.stdout[-3000:]
    return endpoint


@pytest.mark.parametrize("extra_vars,expected", [c[1:] for c in SAMPLE], ids=[c[0] for c in SAMPLE])
def test_refused_before_any_write(deployed, extra_vars, expected):
    deployed.start_recording()
    result = deployed.playbook("site.yml", extra_vars=extra_vars)
    assert result.returncode != 0, result.stdout[-2000:]
    assert expected in " ".join(result.stdout.split()), result.stdout[-3000:]
    assert deployed.recorded()["writes"] == [], result.stdout[-4000:]


def _client(endpoint, service):
    return boto3.client(service, endpoint_url=endpoint.url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


CERTIFICATE = "arn:aws:acm:{region}:123456789012:certificate/0a1b2c3d-0000-1111-2222-333344445555"
# (id, the certificate ARN or "request" for a new one (PENDING_VALIDATION for a minute on moto, as on AWS until DNS
# validation completes), a substring of the refusal)
CERTIFICATE_CASES = [
    ("certificate-missing", CERTIFICATE.format(region="us-east-1"), "alb_certificate_arn: ACM has no certificate"),
    ("certificate-other-region", CERTIFICATE.format(region="eu-west-1"),
     "is a certificate of region 'eu-west-1'; the load balancer is in 'us-east-1'"),
    ("certificate-not-issued", "request", "is PENDING_VALIDATION, not ISSUED"),
]


@pytest.mark.parametrize("arn,expected", [c[1:] for c in CERTIFICATE_CASES], ids=[c[0] for c in CERTIFICATE_CASES])
def test_certificate_refused_before_any_write(deployed, arn, expected):
    """acm:DescribeCertificate before the first write: a certificate the HTTPS listener could not use is refused."""
    if arn == "request":
        arn = _client(deployed, "acm").request_certificate(DomainName="bandup.example.com")["CertificateArn"]
    deployed.start_recording()
    result = deployed.playbook("site.yml", extra_vars={"alb_certificate_arn": arn})
    assert result.returncode != 0, result.stdout[-2000:]
    assert expected in " ".join(result.stdout.split()), result.stdout[-3000:]
    assert deployed.recorded()["writes"] == [], result.stdout[-4000:]


def test_new_service_onto_a_foreign_repository(deployed):
    """On the existing deployment, a new service whose ECR repository name someone else already uses: the names
    changed (the fixed-settings fingerprint differs), so they are read, and the repository is refused before any
    write, naming it and bandup_adopt_existing."""
    ecr = _client(deployed, "ecr")
    ecr.create_repository(repositoryName="ielts-bandup-local-admin")
    admin = {"name": "admin", "port": 9000, "health_path": "/health", "cpu": 256, "memory": 512,
             "image": "public.ecr.aws/nginx/nginx:1.27", "alb": {"enabled": False}}
    try:
        deployed.start_recording()
        result = deployed.playbook("site.yml", extra_vars={"bandup_services": SERVICES + [admin]})
        out = " ".join(result.stdout.split())
        assert result.returncode != 0, result.stdout[-3000:]
        assert "bandup_adopt_existing: the ECR repository 'ielts-bandup-local-admin' exists but was not created" in out
        assert deployed.recorded()["writes"] == [], result.stdout[-4000:]
    finally:
        ecr.delete_repository(repositoryName="ielts-bandup-local-admin")


def test_validate_names_every_mistake_at_once(deployed):
    """playbooks/validate.yml on an inventory with three mistakes (a type, a range, a setting that cannot apply)
    names all three, with their paths, in one run."""
    bad = services(0, port="http")
    bad["bandup_services"][1]["alb"] = {"enabled": False, "default_route": True}
    bad.update(alb_health_check_interval=1)
    deployed.start_recording()
    result = deployed.playbook("playbooks/validate.yml", extra_vars=bad)
    assert result.returncode != 0, result.stdout[-2000:]
    out = " ".join(result.stdout.split())
    for expected in ("bandup_services[0].port: must be an integer", "alb_health_check_interval: 1 is outside 5-300",
                     "bandup_services[1].alb.default_route: cannot apply with alb.enabled false"):
        assert expected in out, result.stdout[-3000:]
    assert deployed.recorded()["writes"] == []


def test_status_reports_despite_a_change_aws_cannot_make(deployed):
    """The read-only status playbook (and teardown, which a refusal may advise) is not refused for a change AWS
    cannot make in place."""
    deployed.start_recording()
    result = deployed.playbook("playbooks/status.yml", extra_vars=FIXED_CASES[0][1])
    assert result.returncode == 0, result.stdout[-3000:]
    assert deployed.recorded()["writes"] == []


NOOP_CALLS_MAX = 40  # the no-op budget (README, Performance; benchmarks/bench.py)


def test_deployment_intact_afterwards(deployed):
    """After every refusal above, a converge of the unchanged inventory changes nothing and writes nothing, within
    the no-op budget of API calls (the ownership and certificate checks read nothing on an existing deployment)."""
    deployed.start_recording()
    result = deployed.playbook("site.yml")
    assert result.returncode == 0, result.stdout[-3000:]
    assert recap(result.stdout)["changed"] == 0, result.stdout[-3000:]
    record = deployed.recorded()
    assert record["writes"] == []
    assert len(record["calls"]) <= NOOP_CALLS_MAX, sorted(f"{c['service']}.{c['action']}" for c in record["calls"])


def test_partial_rollout_checks_the_roles_it_runs(endpoint):
    """--tags ecr checks the shared variables and the ecr role's, before any write; a bad variable of a role the run
    does not select does not stop it; and the topology of an ecr/image-only run is derived without any AWS read
    (no EC2 or ECS call: those roles need neither the AZs nor the live active AZ)."""
    endpoint.start_recording()
    bad_ecr = endpoint.playbook("site.yml", "--tags", "ecr", extra_vars={"ecr_image_tag_mutability": "SOMETIMES"})
    assert bad_ecr.returncode != 0 and "ecr_image_tag_mutability" in bad_ecr.stdout, bad_ecr.stdout[-3000:]
    bad_shared = endpoint.playbook("site.yml", "--tags", "ecr", extra_vars=services(1, cpu=300))
    assert bad_shared.returncode != 0 and "bandup_services[1].cpu: 300" in bad_shared.stdout
    assert endpoint.recorded()["writes"] == []
    endpoint.start_recording()
    ecr_only = endpoint.playbook("site.yml", "--tags", "ecr", extra_vars={"alb_deregistration_delay": "forever"})
    assert ecr_only.returncode == 0, ecr_only.stdout[-3000:]
    assert {call["service"] for call in endpoint.recorded()["calls"]} == {"sts", "ecr"}  # the preflight, then ECR
