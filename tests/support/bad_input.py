"""The hand-written bad-input catalogue: one invalid setting each, on the local inventory, and what the refusal must say.

tests/unit/plugins/plugin_utils/test_bad_input_catalogue.py runs every case through the validation code directly
(the constraint table, then the topology); tests/integration/test_bad_input.py runs a sample through the real
site.yml on an existing deployment and asserts no write. The generated part of the catalogue (each bound of the
constraint table and one past it) is in tests/unit/plugins/plugin_utils/test_constraints.py.
"""
import copy
import os

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
with open(os.path.join(ROOT, "inventories", "local", "group_vars", "all", "main.yml")) as _handle:
    INVENTORY = yaml.safe_load(_handle)
SERVICES = INVENTORY["bandup_services"]


def services(index, **change):
    """The local inventory's services with one entry changed (None removes a key)."""
    out = copy.deepcopy(SERVICES)
    for key, value in change.items():
        if value is None:
            out[index].pop(key, None)
        else:
            out[index][key] = value
    return {"bandup_services": out}


def nested(index, key, **change):
    """The services with entry ``index``'s mapping ``key`` updated."""
    out = copy.deepcopy(SERVICES)
    out[index][key] = dict(out[index].get(key) or {}, **change)
    return {"bandup_services": out}


POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}

# (id, extra vars, a substring of the refusal)
CASES = [
    # types and choices (argument specs, exactly)
    ("cpu-not-int", services(0, cpu="lots"), "bandup_services[0].cpu: must be an integer"),
    ("port-not-int", services(1, port="http"), "bandup_services[1].port: must be an integer"),
    ("port-bool", services(1, port=True), "bandup_services[1].port: must be an integer (got a boolean"),
    ("count-as-string", services(0, active_count="2"), "bandup_services[0].active_count: must be an integer (got a string"),
    ("alb-enabled-as-string", nested(1, "alb", enabled="no"), "bandup_services[1].alb.enabled: must be a boolean"),
    ("services-not-list", {"bandup_services": "backend"}, "bandup_services: must be a list"),
    ("services-entry-not-dict", {"bandup_services": ["backend"]}, "bandup_services[0]: must be a mapping"),
    ("tags-not-dict", {"bandup_tags": ["env", "prod"]}, "bandup_tags: must be a mapping"),
    ("unknown-service-key", services(0, replicas=3), "bandup_services[0].replicas: unknown option"),
    ("missing-health-path", services(0, health_path=None), "bandup_services[0].health_path: required"),
    ("bad-capacity-provider", services(1, standby_capacity_provider="EC2"), "bandup_services[1].standby_capacity_provider"),
    ("status-architecture-choice", {"status_architecture": "SPARC"}, "status_architecture"),
    ("nat-not-bool", {"network_nat_gateways": "sometimes"}, "network_nat_gateways: must be a boolean"),
    # Fargate sizes
    ("fargate-512-512", services(1, cpu=512, memory=512),
     "bandup_services[1].memory: 512 MiB is not valid with cpu 512 on Fargate; valid: 1024, 2048, 3072, 4096"),
    ("fargate-cpu", services(0, cpu=300), "bandup_services[0].cpu: 300 is not one of 256, 512, 1024"),
    # counts
    ("standby-above-active", services(0, standby_count=3), "bandup_services[0].standby_count"),
    ("no-active-tasks", services(0, active_count=0), "bandup_services[0].active_count: 0 is outside 1-5000"),
    ("autoscaling-min-above-max", nested(0, "autoscaling", min_count=5, max_count=2),
     "bandup_services[0].autoscaling.min_count: 5 is above max_count 2"),
    ("autoscaling-max-zero", nested(0, "autoscaling", max_count=0), "bandup_services[0].autoscaling.max_count: 0"),
    # references, uniqueness, ports
    ("unknown-dependency", services(1, depends_on=["database"]), "bandup_services[1].depends_on: unknown service 'database'"),
    ("dependency-cycle", services(0, depends_on=["frontend"]), "depends_on cycle"),
    ("port-conflict", services(1, port=8080), "bandup_services[1].port: 8080 is also the port of 'backend'"),
    ("port-zero", services(1, port=0), "bandup_services[1].port: 0 is outside 1-65535"),
    ("port-too-high", services(1, port=65536), "bandup_services[1].port: 65536 is outside 1-65535"),
    ("duplicate-discovery-name", nested(1, "service_connect", server=True, discovery_name="backend"),
     "bandup_services[1].service_connect"),
    ("duplicate-endpoint", nested(1, "service_connect", server=True, dns_name="backend", client_alias_port=8080),
     "bandup_services[1].service_connect"),
    ("duplicate-service", services(1, name="backend"), "bandup_services[1].name: duplicate service 'backend'"),
    ("client-alias-port-zero", nested(0, "service_connect", client_alias_port=0),
     "bandup_services[0].service_connect.client_alias_port: 0 is outside 1-65535"),
    ("discovery-name-empty", nested(0, "service_connect", discovery_name=""),
     "bandup_services[0].service_connect.discovery_name: '' is 0 characters"),
    ("dns-name-on-client", nested(1, "service_connect", dns_name="web"),
     "bandup_services[1].service_connect.dns_name: cannot apply without service_connect.server"),
    # names
    ("service-name-illegal", services(1, name="Front_End"), "bandup_services[1].name"),
    ("service-name-too-long", services(1, name="frontend-for-the-ielts-app"), "bandup_services[1].name"),
    ("deployment-name-illegal", {"bandup_name": "Bandup_Prod"}, "bandup_name"),
    ("deployment-name-too-long", {"bandup_name": "bandup-production-eu-1"}, "bandup_name"),
    ("target-group-name-too-long", {"bandup_name": "bandup-production-eu", **services(1, name="frontend-webapp")},
     "target group"),
    ("ecr-prefix-illegal", {"bandup_ecr_prefix": "IELTS_"}, "bandup_ecr_prefix"),
    ("discovery-name-illegal", nested(0, "service_connect", discovery_name="Back.End"),
     "bandup_services[0].service_connect.discovery_name"),
    ("region-illegal", {"bandup_region": "Europe"}, "bandup_region: 'Europe'"),
    ("region-unknown", {"bandup_region": "us-east-7", "bandup_active_az": "us-east-7a", "bandup_standby_az": "us-east-7b"},
     "bandup_region: 'us-east-7' is not an AWS region"),
    # health and routing
    ("health-path-relative", services(0, health_path="actuator/health"), "bandup_services[0].health_path"),
    ("health-path-shell", services(0, health_path="/health;reboot"), "bandup_services[0].health_path"),
    ("health-interval-range", nested(0, "health_check", interval=1),
     "bandup_services[0].health_check.interval: 1 is outside 5-300"),
    ("health-timeout-range", nested(0, "health_check", timeout=61), "bandup_services[0].health_check.timeout: 61"),
    ("health-retries-zero", nested(0, "health_check", retries=0), "bandup_services[0].health_check.retries: 0"),
    ("health-command-empty", nested(0, "health_check", command=[]), "bandup_services[0].health_check.command: []"),
    ("health-command-form", nested(0, "health_check", command=["curl", "-f", "http://localhost/"]),
     "bandup_services[0].health_check.command"),
    ("no-path-patterns", nested(0, "alb", path_patterns=[]), "bandup_services[0].alb.path_patterns"),
    ("path-pattern-too-long", nested(0, "alb", path_patterns=["/" + "a" * 128]), "bandup_services[0].alb.path_patterns[0]: '/aaaa"),
    ("path-pattern-space", nested(0, "alb", path_patterns=["/api v1/*"]), "bandup_services[0].alb.path_patterns[0]: '/api v1/*' must be"),
    ("path-patterns-six", nested(0, "alb", path_patterns=[f"/p{i}/*" for i in range(6)]),
     "bandup_services[0].alb.path_patterns: 6 patterns"),
    ("two-default-routes", nested(0, "alb", default_route=True), "alb.default_route"),
    ("priority-zero", nested(0, "alb", priority=0), "bandup_services[0].alb.priority: 0 is outside 1-50000"),
    ("priority-too-high", nested(0, "alb", priority=50001), "bandup_services[0].alb.priority: 50001 is outside 1-50000"),
    ("priority-on-default-route", nested(1, "alb", priority=5),
     "bandup_services[1].alb.priority: cannot apply with alb.default_route"),
    ("requests-without-alb", {"bandup_services": [
        dict(SERVICES[0], autoscaling={"requests_per_target": 500}),
        dict(SERVICES[1], alb={"enabled": False}, autoscaling={"requests_per_target": 500})]},
     "bandup_services[1].autoscaling.requests_per_target: cannot apply with alb.enabled false"),
    ("autoscaling-off-with-settings", nested(0, "autoscaling", enabled=False, max_count=4),
     "bandup_services[0].autoscaling.max_count: cannot apply with autoscaling.enabled false"),
    ("cpu-target-zero", nested(0, "autoscaling", cpu_target=0), "bandup_services[0].autoscaling.cpu_target: 0 is outside 1-100"),
    ("matcher-500", {"alb_health_check_matcher": "500"}, "alb_health_check_matcher: '500' must be HTTP codes 200-499"),
    ("matcher-text", {"alb_health_check_matcher": "OK"}, "alb_health_check_matcher"),
    ("alb-interval-too-low", {"alb_health_check_interval": 4}, "alb_health_check_interval: 4 is outside 5-300"),
    ("alb-timeout-not-below-interval", {"alb_health_check_timeout": 15}, "alb_health_check_timeout: 15 must be below"),
    ("alb-threshold-one", {"alb_healthy_threshold": 1}, "alb_healthy_threshold: 1 is outside 2-10"),
    ("deregistration-delay", {"alb_deregistration_delay": 3601}, "alb_deregistration_delay: 3601 is outside 0-3600"),
    ("certificate-not-acm", {"alb_certificate_arn": "arn:aws:iam::123456789012:server-certificate/x"}, "alb_certificate_arn"),
    ("ssl-policy-alone", {"alb_ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06"},
     "alb_ssl_policy: cannot apply without alb_certificate_arn"),
    # images, environment and secrets
    ("no-image-no-build", services(0, build=None), "bandup_services[0]: set either image or build.context"),
    ("image-and-build", services(0, image="nginx:1.27"), "bandup_services[0].build: cannot apply with image set"),
    ("image-uppercase", services(0, build=None, image="Registry.example.com/Backend:1"), "bandup_services[0].image"),
    ("image-empty-tag", services(0, build=None, image="nginx:"), "bandup_services[0].image"),
    ("build-context-missing", services(1, build={"context": "/nonexistent/frontend"}),
     "bandup_services[1] (frontend).build.context: '/nonexistent/frontend' is not a directory"),
    ("dockerfile-missing", services(0, build={"context": "{{ bandup_fixture_apps }}/backend", "dockerfile": "Dockerfile.prod"}),
     "bandup_services[0] (backend).build.dockerfile"),
    ("build-arg-not-scalar", services(0, build={"context": "{{ bandup_fixture_apps }}/backend", "args": {"V": [1]}}),
     "bandup_services[0].build.args.V: must be a string or a number"),
    ("env-list-value", services(0, environment={"JAVA_OPTS": ["-Xmx1g"]}),
     "bandup_services[0].environment.JAVA_OPTS: a list is not a scalar"),
    ("env-dict-value", services(0, environment={"CONFIG": {"a": 1}}), "bandup_services[0].environment.CONFIG: a mapping is not a scalar"),
    ("env-null-value", services(0, environment={"EMPTY": None}), "bandup_services[0].environment.EMPTY: null is not a scalar"),
    ("env-bad-name", services(0, environment={"MY-VAR": "x"}), "bandup_services[0].environment: 'MY-VAR'"),
    ("secret-not-an-arn", services(0, secrets={"DB_PASSWORD": "hunter2"}), "bandup_services[0].secrets.DB_PASSWORD: 'hunter2' must be"),
    ("secret-s3-arn", services(0, secrets={"DB_PASSWORD": "arn:aws:s3:::bucket/key"}), "bandup_services[0].secrets"),
    # tags
    ("tag-aws-prefix", {"bandup_tags": {"aws:team": "web"}}, "bandup_tags: key 'aws:team' is reserved"),
    ("tag-bandup-prefix", {"bandup_tags": {"bandup:standing": "active"}}, "bandup_tags: key 'bandup:standing' is reserved"),
    ("tag-name-key", {"bandup_tags": {"Name": "web"}}, "bandup_tags: key 'Name' is reserved"),
    ("tag-key-empty", {"bandup_tags": {"": "web"}}, "bandup_tags: key '' must be 1-128"),
    ("tag-key-too-long", {"bandup_tags": {"k" * 129: "v"}}, "bandup_tags: key"),
    ("tag-value-too-long", {"bandup_tags": {"team": "v" * 257}}, "bandup_tags.team: the value must be 0-256"),
    ("tag-value-comma", {"bandup_tags": {"team": "a,b"}}, "bandup_tags.team: the value must be"),
    ("too-many-tags", {"bandup_tags": {f"t{i}": "x" for i in range(41)}}, "bandup_tags: 41 tags"),
    # network
    ("vpc-cidr-too-large", {"network_vpc_cidr": "10.0.0.0/8"}, "network_vpc_cidr: '10.0.0.0/8' has prefix /8"),
    ("vpc-cidr-host-bits", {"network_vpc_cidr": "10.20.0.1/16"}, "network_vpc_cidr: '10.20.0.1/16' is not"),
    ("subnet-cidr-too-small", {"network_public_subnet_cidrs": ["10.20.0.0/29", "10.20.1.0/24"]},
     "network_public_subnet_cidrs[0]: '10.20.0.0/29' has prefix /29"),
    ("subnet-outside-vpc", {"network_public_subnet_cidrs": ["10.30.0.0/24", "10.20.1.0/24"]},
     "network_public_subnet_cidrs[0]: 10.30.0.0/24 does not lie in network_vpc_cidr"),
    ("subnets-overlap", {"network_private_subnet_cidrs": ["10.20.1.0/24", "10.20.11.0/24"]},
     "network_private_subnet_cidrs[0]: 10.20.1.0/24 overlaps"),
    ("one-subnet-cidr", {"network_private_subnet_cidrs": ["10.20.10.0/24"]}, "network_private_subnet_cidrs: 1 entries"),
    ("ingress-cidr-invalid", {"network_alb_ingress_cidrs": ["0.0.0.0/0", "192.168.1.300/32"]},
     "network_alb_ingress_cidrs[1]: '192.168.1.300/32' is not"),
    ("vpc-id-form", {"network_vpc_id": "my-vpc"}, "network_vpc_id: 'my-vpc'"),
    # the other roles
    ("ecr-kms-key-with-aes", {"ecr_kms_key": "alias/ecr"}, "ecr_kms_key: cannot apply with ecr_encryption_type AES256"),
    ("ecr-keep-zero", {"ecr_keep_tagged_images": 0}, "ecr_keep_tagged_images: 0 is outside 1-10000"),
    ("ecr-account-id", {"ecr_pull_account_ids": ["12345"]}, "ecr_pull_account_ids[0]: '12345' is not a 12-digit"),
    ("ecr-mutability", {"ecr_image_tag_mutability": "SOMETIMES"}, "ecr_image_tag_mutability"),
    ("cluster-providers-ec2", {"cluster_capacity_providers": ["FARGATE", "EC2"]}, "cluster_capacity_providers"),
    ("cluster-weight-too-high", {"cluster_default_capacity_provider_strategy": [{"capacity_provider": "FARGATE",
                                                                                 "weight": 1001}]},
     "cluster_default_capacity_provider_strategy[0].weight: 1001 is outside 0-1000"),
    ("spot-not-in-cluster", {"cluster_capacity_providers": ["FARGATE"], **services(1, standby_capacity_provider="FARGATE_SPOT")},
     "bandup_services[1].standby_capacity_provider: FARGATE_SPOT cannot apply"),
    ("arm64-with-spot-below-1.4.0", {"task_definition_cpu_architecture": "ARM64", "service_platform_version": "1.3.0",
                                     **services(1, standby_capacity_provider="FARGATE_SPOT")},
     "ARM64 on Fargate Spot need 1.4.0 or later"),
    ("ephemeral-storage-zero", {"task_definition_ephemeral_storage": 0}, "task_definition_ephemeral_storage: 0 is outside 21-200"),
    ("stop-timeout", {"task_definition_stop_timeout": 121}, "task_definition_stop_timeout: 121 is outside 2-120"),
    ("log-retention", {"task_definition_log_retention_days": 10}, "task_definition_log_retention_days"),
    ("task-role-policy-unknown-service", {"task_definition_task_role_policies": {"db": POLICY}},
     "task_definition_task_role_policies.db: not a service name"),
    ("min-healthy-percent", {"service_deployment_minimum_healthy_percent": 101},
     "service_deployment_minimum_healthy_percent: 101 is outside 0-100"),
    ("deployment-percent-stuck", {"service_deployment_minimum_healthy_percent": 100, "service_deployment_maximum_percent": 100},
     "service_deployment_maximum_percent: 100 must be above service_deployment_minimum_healthy_percent (100)"),
    ("platform-version", {"service_platform_version": "1.3.0"}, "service_platform_version: '1.3.0' must be"),
    ("grace-period-negative", {"service_health_check_grace_period": -1}, "service_health_check_grace_period: -1"),
    # the last values AWS refuses (issue P)
    ("name-internal-prefix", {"bandup_name": "internal-web"},
     "bandup_name: 'internal-web' names the load balancer, and a load balancer name must not begin with 'internal-'"),
    ("env-value-over-64k", services(0, environment={"BIG": "x" * 60000}),
     "bandup_services[0].environment: the environment and secrets are"),
    ("env-over-64k-in-all", services(0, environment={f"V{i}": "y" * 600 for i in range(100)}),
     "at most 65536 bytes (64 KiB, ECS quotas)"),
    ("image-platform-mismatch", {"image_platform": "linux/arm64"},
     "image_platform: 'linux/arm64' does not match task_definition_cpu_architecture X86_64"),
    ("image-platform-mismatch-arm", {"image_platform": "linux/amd64", "task_definition_cpu_architecture": "ARM64"},
     "image_platform: 'linux/amd64' does not match task_definition_cpu_architecture ARM64"),
    ("discovery-name-hyphen", nested(0, "service_connect", discovery_name="-backend"),
     "bandup_services[0].service_connect.discovery_name: '-backend' must be"),
    ("dns-name-hyphen", nested(0, "service_connect", dns_name="-backend"),
     "bandup_services[0].service_connect.dns_name: '-backend' must be"),
    ("path-pattern-wildcards", nested(0, "alb", path_patterns=["/a*/b*/c*", "/d*/e?/f*"]),
     "bandup_services[0].alb.path_patterns: 6 wildcards"),
    ("wait-timeout-below-delay", {"service_wait_timeout": 5, "service_wait_delay": 30},
     "service_wait_timeout: 5 seconds is shorter than service_wait_delay (30)"),
    ("wait-timeout-zero", {"service_wait_timeout": 0}, "service_wait_timeout: 0 is outside 1-86400"),
    ("strategy-weights-zero", {"cluster_default_capacity_provider_strategy": [
        {"capacity_provider": "FARGATE", "weight": 0, "base": 1}, {"capacity_provider": "FARGATE_SPOT", "weight": 0}]},
     "cluster_default_capacity_provider_strategy: every weight is 0"),
    ("task-role-policy-string", {"task_definition_task_role_policies": {"backend": '{"Statement": []}'}},
     "task_definition_task_role_policies.backend: must be"),
    ("task-role-policies-string", {"task_definition_task_role_policies": "s3:GetObject on my-bucket"},
     "task_definition_task_role_policies: must be a mapping"),
    ("task-role-policy-no-statement", {"task_definition_task_role_policies": {"backend": {"Version": "2012-10-17"}}},
     "task_definition_task_role_policies.backend: the document has no Statement"),
    ("ecr-policy-no-statement", {"ecr_repository_policy": {"Version": "2012-10-17"}},
     "ecr_repository_policy: the document has no Statement"),
    ("ecr-policy-empty-statement", {"ecr_repository_policy": {"Version": "2012-10-17", "Statement": []}},
     "ecr_repository_policy: the document has no Statement"),
    ("lcus-not-a-number", {"status_alb_lcus": "many"}, "status_alb_lcus: must be a number"),
    ("adopt-entry-illegal", {"bandup_adopt_existing": ["my load balancer"]}, "bandup_adopt_existing[0]: 'my load balancer'"),
    ("adopt-not-a-list", {"bandup_adopt_existing": True}, "bandup_adopt_existing: must be a list"),
    # availability zones
    ("az-other-region", {"bandup_active_az": "eu-west-1a"}, "bandup_active_az: 'eu-west-1a' is not an availability zone"),
    ("az-not-in-region", {"bandup_standby_az": "us-east-1z"}, "bandup_standby_az: 'us-east-1z' is not an availability zone"),
    ("same-az-twice", {"bandup_standby_az": "us-east-1a"}, "bandup_standby_az: must differ"),
]

# Changes AWS cannot make in place, on an existing deployment (they need the live resources: integration only).
FIXED_CASES = [
    ("vpc-cidr-changed", {"network_vpc_cidr": "10.30.0.0/16", "network_public_subnet_cidrs": ["10.30.0.0/24", "10.30.1.0/24"],
                          "network_private_subnet_cidrs": ["10.30.10.0/24", "10.30.11.0/24"]},
     "network_vpc_cidr: 10.30.0.0/16 differs from 10.20.0.0/16"),
    ("subnet-cidr-changed", {"network_private_subnet_cidrs": ["10.20.12.0/24", "10.20.11.0/24"]},
     "network_private_subnet_cidrs[0]: 10.20.12.0/24 differs from 10.20.10.0/24"),
    ("ecr-encryption-changed", {"ecr_encryption_type": "KMS"}, "ecr_encryption_type: KMS differs from AES256"),
    ("target-group-port-changed", {"bandup_services": [dict(SERVICES[0], port=8081), SERVICES[1]]},
     "bandup_services[0].port: 8081 differs from 8080, the port of the existing target group"),
]

# The sample of CASES the integration test runs through site.yml (the rest run through the validation code only).
SITE_SAMPLE = ["port-bool", "fargate-512-512", "priority-zero", "requests-without-alb", "env-list-value",
               "tag-bandup-prefix", "arm64-with-spot-below-1.4.0", "az-not-in-region",
               "name-internal-prefix", "image-platform-mismatch", "task-role-policy-string", "ecr-policy-no-statement"]
