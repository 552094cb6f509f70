#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecs_services
short_description: Converge several ECS Fargate services of one cluster, in order, with batched reads
version_added: 0.1.0
description:
  - Converges the services of I(services) one after the other, in the order given (put a Service Connect server
    before its clients), each exactly as M(bandup.ecs.ecs_service) does with I(state=present) (same options,
    same comparison with the live state and the C(bandup:last-applied) record, same rollout tracking), and
    optionally its target tracking autoscaling as M(bandup.ecs.ecs_service_scaling) does.
  - The live state is read once for all services before anything is written, so bad input or a refused change
    fails before the first write. When nothing changes it takes at most three calls for up to 10 services
    (C(DescribeServices) with tags; C(DescribeScalableTargets) for all of them, when any entry manages autoscaling
    or leaves the desired count to it; C(DescribeScalingPolicies) when a service has a scalable target and
    I(autoscaling)). Subnets are checked (C(DescribeSubnets)) only before a write that sets the network.
  - With I(expect_live) on an entry, the module first compares that service's live role with it; when an existing
    service differs, the module writes nothing for any service and returns it in RV(held), so the caller can run an
    ordered switch (see the C(service) role) and call the module again.
author:
  - Bandup platform team (@bandup)
options:
  cluster:
    description: Cluster name or ARN.
    type: str
    required: true
  services:
    description:
      - One entry per service, converged in this order. Names must be unique.
      - Each entry takes the options of M(bandup.ecs.ecs_service) from I(name) to I(purge_tags) (C(name),
        C(task_definition), C(desired_count), C(force_desired_count), C(availability_zone), C(network),
        C(capacity_provider_strategy), C(load_balancers), C(service_connect), C(deployment),
        C(health_check_grace_period), C(availability_zone_rebalancing), C(propagate_tags),
        C(enable_ecs_managed_tags), C(platform_version), C(deployment_token), C(force_new_deployment), C(tags),
        C(purge_tags)), validated by the same argument spec, with the same defaults. C(task_definition),
        C(network) and C(availability_zone) are required. As there, a C(capacity_provider_strategy) change
        redeploys the service (C(forceNewDeployment)) and a C(deployment) change applies to the next deployment.
      - C(autoscaling) (dict, optional) takes the options of M(bandup.ecs.ecs_service_scaling) except C(cluster)
        and C(service) (C(state), C(min_capacity), C(max_capacity), C(policies)); it is applied after the service
        converged. Omit it to leave the service's autoscaling unmanaged.
      - C(wait) (bool, optional) overrides I(wait) for this entry; C(false) sends its writes without waiting for its
        deployment (e.g. a service in an impaired AZ, whose deployment cannot finish).
      - C(expect_live) (dict, optional) states the live role this service must already have; keys C(tags)
        (a dict; each key the live service carries must have this value) and C(service_connect_server) (bool;
        whether it serves Service Connect endpoints now, read from its PRIMARY deployment, else from the
        C(bandup:sc-role) tag). A service that does not exist yet matches any expectation.
    type: list
    elements: dict
    required: true
  wait:
    description:
      - Wait for each service's deployment before converging the next (an entry's C(wait) overrides it).
      - A Service Connect server config is written once no other service serves its names; with I(wait), a name
        that another service's draining deployment still serves (a server that just turned client) is waited for
        until its tasks have stopped, within I(wait_timeout).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for one service.
    type: int
    default: 900
  wait_delay:
    description: Seconds between two polls.
    type: int
    default: 15
  failure_log_lines:
    description:
      - When a wait fails, how many of the last lines of each failing container's C(awslogs) stream the message
        shows, per stopped task, as M(bandup.ecs.ecs_service) does (see there; stopped reasons, exit codes, health
        checks, read only on that path). C(0) reads no logs.
    type: int
    default: 20
    version_added: 0.2.0
  target_health:
    description:
      - C(always) - with I(wait), read the health of every service's targets before calling it done, as
        M(bandup.ecs.ecs_service) does (use it before moving traffic to a service).
      - C(after_change) - a service that this run did not change and whose DescribeServices answer already shows its
        deployment done (PRIMARY, C(COMPLETED), alone, running its desired count) is not read again; changed or
        unsettled services are followed as with C(always).
    type: str
    choices: [always, after_change]
    default: always
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The backend (a Service Connect server) before the frontend, each in its active and standby AZ
  bandup.ecs.ecs_services:
    cluster: prod
    target_health: after_change
    services:
      - name: prod-backend-a
        task_definition: "arn:aws:ecs:eu-west-1:123456789012:task-definition/prod-backend:7"
        desired_count: 2
        availability_zone: eu-west-1a
        network: {subnets: [subnet-0a1], security_groups: [sg-0b2]}
        service_connect:
          namespace: prod
          services:
            - port_name: backend
              client_aliases: [{port: 8080, dns_name: backend}]
        tags: {"bandup:role": active}
        expect_live: {tags: {"bandup:role": active}}
        autoscaling:
          min_capacity: 2
          max_capacity: 6
          policies: [{name: cpu, metric: cpu, target_value: 60}]
      - name: prod-backend-b
        task_definition: "arn:aws:ecs:eu-west-1:123456789012:task-definition/prod-backend:7"
        desired_count: 1
        force_desired_count: true
        availability_zone: eu-west-1b
        network: {subnets: [subnet-0c3], security_groups: [sg-0b2]}
        service_connect: {namespace: prod}
        tags: {"bandup:role": standby}
        expect_live: {tags: {"bandup:role": standby}, service_connect_server: false}
        autoscaling: {state: absent}
      - name: prod-frontend-a
        task_definition: prod-frontend:3
        desired_count: 2
        availability_zone: eu-west-1a
        network: {subnets: [subnet-0a1], security_groups: [sg-0d4]}
        service_connect: {namespace: prod}
  register: converged
"""

RETURN = r"""
services:
  description: Service name to what was done (or, in check mode, would be done); empty when RV(held) is not.
  returned: always
  type: dict
  sample: {"prod-backend-a": {"changed": false, "changed_fields": [], "desired_count_owner": "autoscaling",
           "deployment_id": "ecs-svc/1234567890123456789", "service": {"service_name": "prod-backend-a"},
           "autoscaling": {"resource_id": "service/prod/prod-backend-a", "changed": false,
                           "policies": {"put": [], "deleted": []}}}}
  contains:
    changed:
      description: Whether this service or its autoscaling changed.
      type: bool
    changed_fields:
      description: The UpdateService fields sent (C(forceNewDeployment) for a redeploy), or all of them on create.
      type: list
      elements: str
    desired_count_owner:
      description: C(autoscaling) when a scalable target owns the desired count and it was left alone, else C(module).
      type: str
    deployment_id:
      description: The deployment this run started or found PRIMARY.
      type: str
    service:
      description: The service as C(DescribeServices) reports it (snake_case, tags as a dict); empty before creation.
      type: dict
    autoscaling:
      description: The scalable target's resource id, whether it changed, and the policies put or deleted.
      type: dict
      returned: when the entry has autoscaling
live:
  description:
    - The live state of every service before this run changed anything, in the shape of
      M(bandup.ecs.ecs_service_info)'s RV(bandup.ecs.ecs_service_info#module:services).
  returned: always
  type: dict
  sample: {"prod-backend-a": {"exists": true, "desired_count": 2, "running_count": 2, "role": "active",
           "service_connect_server": true, "tags": {}, "task_definition": "arn:...", "steady": true}}
held:
  description: Services whose live state differs from their C(expect_live); nothing was written when this is not empty.
  returned: always
  type: list
  elements: str
  sample: ["prod-backend-b"]
timed_out:
  description: True when a wait ran out of time (as opposed to a failed deployment or an API error).
  returned: on wait failure
  type: bool
stopped_tasks:
  description:
    - The newest stopped tasks (up to 3) of the deployment whose wait failed, as in M(bandup.ecs.ecs_service)'s
      RV(bandup.ecs.ecs_service#module:stopped_tasks).
  returned: on wait failure, when the deployment's stopped tasks could be read
  type: list
  elements: dict
"""

import time

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.bandup.ecs.plugins.module_utils import ecs_scaling as scaling
from ansible_collections.bandup.ecs.plugins.module_utils import ecs_service as svc
from ansible_collections.bandup.ecs.plugins.module_utils import rollout
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule

ENTRY_OPTIONS = dict(
    svc.SERVICE_OPTIONS,
    autoscaling=dict(type="dict", options=scaling.SCALING_OPTIONS),
    expect_live=dict(type="dict", options=dict(tags=dict(type="dict"), service_connect_server=dict(type="bool"))),
    wait=dict(type="bool"),
)


class Failure(Exception):
    """Stop with this message; ``result`` goes into the failure."""

    def __init__(self, msg, **result):
        super().__init__(msg)
        self.result = result


def entries(module):
    """The validated entries of I(services), defaults applied; fails naming the entry before any API call."""
    validator = ArgumentSpecValidator(ENTRY_OPTIONS)
    out = []
    for idx, entry in enumerate(module.params["services"]):
        checked = validator.validate(entry)
        if checked.error_messages:
            module.fail_json(msg=f"services[{idx}]: {'; '.join(checked.error_messages)}")
        out.append(checked.validated_parameters)
    names = [e["name"] for e in out]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        module.fail_json(msg=f"services: {', '.join(repeated)} given more than once")
    return out


def unexpected(entry, state):
    """True when the existing service's live role differs from the entry's expect_live."""
    expect = entry["expect_live"]
    if not expect or not state["exists"]:
        return False
    tags = expect["tags"] or {}
    if any(key in state["tags"] and state["tags"][key] != str(value) for key, value in tags.items()):
        return True
    server = expect["service_connect_server"]
    return server is not None and state["service_connect_server"] != server


def needs_targets(entries_, live):
    """Whether the scalable targets must be read: autoscaling managed, or a desired count that it may own."""
    return any(e["autoscaling"] or (live[e["name"]] and e["desired_count"] is not None and not e["force_desired_count"])
               for e in entries_)


def plan_scaling(entry, target, live_policies):
    """(register, put, delete, deregister) for the entry's autoscaling; None when unmanaged."""
    auto = entry["autoscaling"]
    if auto is None:
        return None
    if auto["state"] == "absent":
        return dict(register=False, put={}, delete=[], deregister=target is not None, target=target, wanted={})
    wanted = scaling.wanted_policies(auto)
    register, put, delete = scaling.plan(target, live_policies, auto["min_capacity"], auto["max_capacity"], wanted)
    return dict(register=register, put=put, delete=delete, deregister=False, target=target, wanted=wanted)


def scaling_changed(splan):
    return bool(splan and (splan["register"] or splan["put"] or splan["delete"] or splan["deregister"]))


class Run:
    """One module run: the clients (made when first needed), the plans and the results so far."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.cluster = module.params["cluster"]
        self._clients = {}
        self.results = {}

    def client(self, name):
        if name not in self._clients:
            self._clients[name] = self.module.client(name)
        return self._clients[name]

    def plan(self, entries_, live):
        """Plans for every entry, from the reads made up front; raises Failure naming the entry."""
        rids = {e["name"]: scaling.resource_id(self.cluster, e["name"]) for e in entries_}
        targets = {}
        if needs_targets(entries_, live):
            targets = scaling.scalable_targets(self.client("application-autoscaling"), list(rids.values()))
        plans = []
        for idx, entry in enumerate(entries_):
            name = entry["name"]
            try:
                svc.check_options(entry)
                if not entry["task_definition"].startswith("arn:"):
                    entry = dict(entry, task_definition=svc.resolve_task_definition(self.client("ecs"),
                                                                                    entry["task_definition"]))
                plan = svc.plan_present(entry, live[name], lambda rid=rids[name]: rid in targets)
                if entry["autoscaling"] and entry["autoscaling"]["state"] == "present":
                    scaling.wanted_policies(entry["autoscaling"])
            except (svc.ServiceError, scaling.ScalingError) as err:
                raise Failure(f"services[{idx}] ({name}): {err}") from err
            plans.append((entry, plan))
        with_policies = [rids[e["name"]] for e, _plan in plans if e["autoscaling"]
                         and e["autoscaling"]["state"] == "present" and rids[e["name"]] in targets]
        policies = scaling.policies_of(self.client("application-autoscaling"), with_policies) if with_policies else {}
        checked = [e for e, plan in plans if svc.sets_network(plan)]
        if checked:
            try:
                svc.check_subnets(self.client("ec2"), checked)
            except svc.ServiceError as err:
                raise Failure(f"services ({err.result.get('service_name', 'subnets')}): {err}") from err
        return [(entry, plan, rids[entry["name"]],
                 plan_scaling(entry, targets.get(rids[entry["name"]]), policies.get(rids[entry["name"]], {})))
                for entry, plan in plans]

    def converge(self, entry, plan, rid, splan):
        """Write, wait and record one service; raises Failure when its deployment fails or times out."""
        name, wrote = entry["name"], plan["action"] != "none"
        wait = self.params["wait"] if entry["wait"] is None else entry["wait"]
        deadline = time.monotonic() + self.params["wait_timeout"]
        result = dict(changed=wrote or scaling_changed(splan), changed_fields=plan["fields"],
                      desired_count_owner=plan["owner"])
        service = plan["existing"]
        result["deployment_id"] = (svc.primary_deployment(service or {}) or {}).get("id")
        if not self.module.check_mode:
            try:
                if wrote:
                    service = svc.apply_plan(self.client("ecs"), self.cluster, plan, deadline, self.params["wait_delay"])
                service, result["deployment_id"] = svc.settle(
                    self.client("ecs"), lambda: self.client("elbv2"), self.cluster, service, wrote,
                    wait, deadline, self.params["wait_delay"],
                    steady_targets=self.params["target_health"] == "always")
            except svc.ServiceError as err:
                raise Failure(f"{name}: {err}", **err.result) from err
            except svc.WaitError as err:
                self.results[name] = dict(result, service=svc.result_of(service))
                msg, details = rollout.failure(err, self.client("ecs"), lambda: self.client("logs"), self.cluster,
                                               name, self.params["failure_log_lines"])
                raise Failure(msg, timed_out=err.timed_out, **details) from err
        if splan is not None:
            auto = entry["autoscaling"]
            if not self.module.check_mode and scaling_changed(splan):
                client = self.client("application-autoscaling")
                if splan["deregister"]:
                    scaling.deregister_target(client, rid)
                else:
                    scaling.apply(client, rid, auto["min_capacity"], auto["max_capacity"], splan["register"],
                                  splan["put"], splan["delete"])
            result["autoscaling"] = dict(resource_id=rid, changed=scaling_changed(splan),
                                         policies={"put": sorted(splan["put"]), "deleted": splan["delete"]})
        self.results[name] = dict(result, service=svc.result_of(service))

    def diff(self, planned):
        before, after = {}, {}
        for entry, plan, _rid, splan in planned:
            before[entry["name"]], after[entry["name"]] = dict(plan["diff"]["before"]), dict(plan["diff"]["after"])
            if scaling_changed(splan):
                target = splan["target"]
                before[entry["name"]]["autoscaling"] = {
                    "target": target and [target["MinCapacity"], target["MaxCapacity"]]}
                after[entry["name"]]["autoscaling"] = ({"target": None} if splan["deregister"] else {
                    "target": [entry["autoscaling"]["min_capacity"], entry["autoscaling"]["max_capacity"]],
                    "policies": sorted(splan["wanted"])})
        return {"before": before, "after": after}


def main():
    module = AWSModule(
        argument_spec=dict(
            cluster=dict(type="str", required=True),
            services=dict(type="list", elements="dict", required=True),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=900),
            wait_delay=dict(type="int", default=15),
            failure_log_lines=dict(type="int", default=20),
            target_health=dict(type="str", choices=["always", "after_change"], default="always"),
        ),
        supports_check_mode=True,
    )
    wanted = entries(module)
    run = Run(module)
    try:
        found = svc.describe_many(run.client("ecs"), run.cluster, [e["name"] for e in wanted])
        live = {e["name"]: found.get(e["name"]) for e in wanted}
        states = {name: svc.placement_state(service) for name, service in live.items()}
        held = [e["name"] for e in wanted if unexpected(e, states[e["name"]])]
        if held:
            module.exit_json(changed=False, services={}, live=states, held=held)
        planned = run.plan(wanted, live)
        for entry, plan, rid, splan in planned:
            run.converge(entry, plan, rid, splan)
    except Failure as err:
        module.fail_json(msg=str(err), services=run.results, **err.result)
    except (BotoCoreError, ClientError) as err:
        module.fail_json_aws(err, msg=f"ECS services of cluster {run.cluster}", services=run.results)
    result = dict(changed=any(r["changed"] for r in run.results.values()), services=run.results, live=states, held=[])
    if module._diff:
        result["diff"] = run.diff(planned)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
