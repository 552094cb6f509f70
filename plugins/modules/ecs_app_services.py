#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecs_app_services
short_description: Converge the ECS Fargate services of one cluster in order, or the active/standby apps with their failover switch
version_added: 0.1.0
description:
  - With I(services), converges those services one after the other, in the order given (put a Service Connect
    server before its clients), each exactly as M(bandup.ecs.ecs_service) does with I(state=present) (same
    options, same comparison with the live state and the C(bandup:last-applied) record, same rollout tracking), and
    optionally its target tracking autoscaling as M(bandup.ecs.ecs_service_scaling) does.
  - With I(apps), each app is two services, the C(active) and the C(standby) one (the service role's shape, from the
    C(bandup.ecs.service_apps) filter), each in its AZ's cell (its own Service Connect namespace, the same
    configuration in both standings). The module tags them C(bandup:standing=active|standby). When the live
    C(bandup:standing) tags differ from the entries (a failover moved the cluster's C(bandup:active-az) tag, or a
    switch was interrupted), the apps are switched first, all together - the target cell (the C(active) entries)
    scales up to its counts and capacity provider and is waited for until its targets are healthy; the ALB weights
    of I(listener_arns) move (new active 100, old 0) for every app in one step; the old cell gets its standby counts
    and capacity provider and is not waited for; the old active's scalable target goes. When a target group of the
    cell being left has no healthy target (one C(DescribeTargetHealth) per group, read once), the weights move
    first, and the old cell's capacity provider changes without a new deployment. No Service Connect configuration
    changes and no client is redeployed. Then every app is converged to its entries, the standing tags last, so a
    rerun finishes an interrupted switch. The apps go one after the other, an app's two services (independent cells)
    written one right after the other and then waited for together (one C(DescribeServices) per poll for both),
    so an app takes as long as its slower cell. A standby service is waited for only when the run writes to it.
    When a cell's deployment fails the other is still followed until it is done or failed, then the module fails
    naming the failed ones.
  - In the steady state the module also keeps the weights of I(listener_arns) on the active target groups (one
    C(DescribeRules) per listener; a write only when one differs), unless I(listener_weights) already shows them.
  - The live state is read once for all services before anything is written, so bad input or a refused change
    fails before the first write. When nothing changes it takes at most three calls for up to 10 services
    (C(DescribeServices) with tags; C(DescribeScalableTargets) for all of them, when any entry manages autoscaling
    or leaves the desired count to it; C(DescribeScalingPolicies) when a service has a scalable target and
    autoscaling), plus with I(apps) one C(DescribeRules) per listener unless I(listener_weights) matches. Subnets are checked (C(DescribeSubnets)) only
    before a write that sets the network.
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
      - As in M(bandup.ecs.ecs_service), a C(capacity_provider_strategy) change redeploys the service
        (C(forceNewDeployment)) and a C(deployment) change applies to the next deployment.
      - Exactly one of I(services) and I(apps).
    type: list
    elements: dict
  apps:
    description:
      - One entry per app, in dependency order (a Service Connect server before its clients); each has its
        C(active) and C(standby) service, entries as in I(services). Names must be unique.
      - "An app may have C(pre_deploy): C(command) (list of strings, required), C(container) (the container whose
        command it overrides, required), C(timeout) (seconds, default 600). When the app's new revision (the
        C(active) entry's task definition) is on none of its live services, before anything of the run is written,
        one task of that revision runs (C(RunTask) with a C(clientToken), the C(active) entry's subnets, security
        groups, capacity provider strategy and platform version; the task definition's roles, log group,
        environment and secrets), is waited for (a progress line per poll) and must exit 0. A task that fails, does
        not start, or outlives C(timeout) (it is then stopped) fails the module naming the app, the exit code and the
        last I(failure_log_lines) lines of its log stream, secrets redacted, and no service is written. A converge
        whose services already run the new revision runs nothing and reads nothing more."
      - Exactly one of I(services) and I(apps).
    type: list
    elements: dict
    version_added: 0.2.0
  listener_arns:
    description:
      - With I(apps), the ALB listeners whose forwards to the apps' target groups (the entries' C(load_balancers))
        carry the weights, active 100 and standby 0.
    type: list
    elements: str
    default: []
    version_added: 0.2.0
  listener_weights:
    description:
      - With I(apps), the weight of each target group (by name) in the forwards of I(listener_arns) as the caller
        read them in this run (the C(weights) that M(bandup.ecs.load_balancer) returns). When every wanted weight is there, the
        steady state reads no listener rule; otherwise, or after a switch, the rules are read and corrected.
    type: dict
    version_added: 0.3.0
  wait:
    description:
      - Wait for each service's deployment before converging the next (an entry's C(wait) overrides it); with
        I(apps), for both services of an app (together) before converging the next app.
      - A Service Connect server config is written once no other service serves its names; with I(wait), a name
        that another service's draining deployment still serves (a server that just turned client) is waited for
        until its tasks have stopped, within I(wait_timeout).
      - With I(apps), a standby service is waited for only when this run writes to it, and the old cell of a switch
        never.
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
      - The steps of a switch always read the target health.
    type: str
    choices: [always, after_change]
    default: always
  release_strategy:
    description:
      - With I(apps), how a new task definition revision reaches the services.
      - C(rolling) - every service rolls to it in place (ECS rolling deployments, gated by each service's deployment
        alarms), the active cell's services before the standby ones of each app.
      - C(canary) - when an app's active entry names another task definition than its live active service runs (decided
        from what the converge reads anyway, no extra call), the whole standby cell canaries the release first, every app
        together - it takes the new revisions at the active counts; the ALB weights move to it by I(canary.steps),
        each held for I(canary.bake_time) while its alarms (the standby entries' C(deployment.alarms)) are read every
        I(wait_delay) seconds; then the active cell rolls to them, the weights return to 100/0 and the standby cell to
        its standby counts. An alarm in C(ALARM) or a failed deployment moves all traffic back to the active cell in
        one step, returns the standby cell to the revisions the active services ran and its standby counts, and
        fails naming the alarm, the step and the service. A rerun restarts an interrupted canary from its first
        step. No canary runs while the apps are switched (failover); the switch converges rolling.
    type: str
    choices: [rolling, canary]
    default: rolling
    version_added: 0.4.0
  canary:
    description: With I(release_strategy=canary), the weight steps and the bake time of each.
    type: dict
    version_added: 0.4.0
    suboptions:
      steps:
        description: Percent of each app's ALB traffic on the standby cell at each step, increasing, each from 1 to 99.
        type: list
        elements: int
        default: [10, 50]
      bake_time:
        description: Seconds each step is held while the standby cell's alarms are read.
        type: int
        default: 300

  handoff:
    description:
      - Stop before the first write and before the first pause of a wait, writing nothing, and return
        RV(handoff=true) when the run has anything to write or wait for; a run with nothing to do (the no-op) ends
        as usual. The collection's action plugin for this module sets it on a first, synchronous run and, on a
        handoff, runs the module again asynchronously with I(progress_file) (a no-op so pays no async wrapper and no
        status polls); leave it unset.
      - Set to C(false) in a task, it tells the action plugin to skip that first run and start the asynchronous one
        at once - a run that is there to switch (playbooks/failover.yml sets C(service_handoff=false) for the service
        role) would otherwise read every service twice before its first write, and in an outage the ALB weights are
        that first write.
    type: bool
    default: false
    version_added: 0.3.0
  progress_file:
    description:
      - "A file the module appends a line to at every poll of a wait (C(<service>: running R/D, rollout STATE, latest
        event: ...)). The collection's action plugin for this module sets it and shows the lines while the module
        runs (at least every 30 seconds of a wait); leave it unset."
    type: path
extends_documentation_fragment:
  - bandup.ecs.ecs_service.entries
  - bandup.ecs.changes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The backend (a Service Connect server) before the frontend, each in its active and standby AZ
  bandup.ecs.ecs_app_services:
    cluster: prod
    target_health: after_change
    listener_arns: ["arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/prod/50dc6c495c0c9188/f2f7dc8efc522ab2"]
    apps:
      - name: backend
        active:
          name: prod-backend-a
          task_definition: "arn:aws:ecs:eu-west-1:123456789012:task-definition/prod-backend:7"
          desired_count: 2
          availability_zone: eu-west-1a
          network: {subnets: [subnet-0a1], security_groups: [sg-0b2]}
          load_balancers:
            - target_group_arn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/prod-backend-a/0123456789abcdef"
              container_name: backend
              container_port: 8080
          service_connect:
            namespace: prod
            services:
              - port_name: backend
                client_aliases: [{port: 8080, dns_name: backend}]
          autoscaling:
            min_capacity: 2
            max_capacity: 6
            policies: [{name: cpu, metric: cpu, target_value: 60}]
        standby:
          name: prod-backend-b
          task_definition: "arn:aws:ecs:eu-west-1:123456789012:task-definition/prod-backend:7"
          desired_count: 1
          force_desired_count: true
          availability_zone: eu-west-1b
          network: {subnets: [subnet-0c3], security_groups: [sg-0b2]}
          load_balancers:
            - target_group_arn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/prod-backend-b/0123456789abcdef"
              container_name: backend
              container_port: 8080
          service_connect: {namespace: prod}
          deployment_token: "backend=prod-backend-a;"
          autoscaling: {state: absent}
  register: converged

- name: Two services in order, without standings (no active/standby pair)
  bandup.ecs.ecs_app_services:
    cluster: prod
    services:
      - name: prod-worker-a
        task_definition: prod-worker:3
        desired_count: 2
        availability_zone: eu-west-1a
        network: {subnets: [subnet-0a1], security_groups: [sg-0d4]}
        service_connect: {namespace: prod}
      - name: prod-worker-b
        task_definition: prod-worker:3
        desired_count: 1
        availability_zone: eu-west-1b
        network: {subnets: [subnet-0c3], security_groups: [sg-0d4]}
        wait: false
"""

RETURN = r"""
extends_documentation_fragment:
  - bandup.ecs.changes
services:
  description: Service name to what was done (or, in check mode, would be done); what changed is in C(changes).
  returned: always
  type: dict
  sample: {"prod-backend-a": {"changed": false, "desired_count_owner": "autoscaling",
           "deployment_id": "ecs-svc/1234567890123456789", "service": {"service_name": "prod-backend-a"}}}
  contains:
    changed:
      description: Whether this run wrote anything for this service or its autoscaling.
      type: bool
    desired_count_owner:
      description: C(autoscaling) when a scalable target owns the desired count and it was left alone, else C(module).
      type: str
    deployment_id:
      description: The deployment this run started or found PRIMARY.
      type: str
    service:
      description: The service as C(DescribeServices) reports it (snake_case, tags as a dict); empty before creation.
      type: dict
apps:
  description: With I(apps), per app its active and standby service (the service role's C(service_outputs)).
  returned: with apps
  type: dict
  sample: {"backend": {"active": {"name": "prod-backend-a", "az": "eu-west-1a",
           "arn": "arn:aws:ecs:eu-west-1:123456789012:service/prod/prod-backend-a"},
           "standby": {"name": "prod-backend-b", "az": "eu-west-1b",
           "arn": "arn:aws:ecs:eu-west-1:123456789012:service/prod/prod-backend-b"}}}
switched:
  description: With I(apps), the apps whose live standings differed and that were switched (dependency order).
  returned: with apps
  type: list
  elements: str
  sample: ["backend", "frontend"]
switch_order:
  description:
    - With I(apps), the order of the switch when one ran (C(scale up, move traffic, old cell to standby), or
      C(move traffic, scale up, old cell to standby) when a target group of the cell being left had no healthy
      target), else C(None).
  returned: with apps
  type: str
  sample: scale up, move traffic, old cell to standby
canary:
  description:
    - With I(release_strategy=canary), the canary of this run; C(None) when none ran (no new revision, a switch,
      or C(rolling)).
  returned: with apps
  type: dict
  sample: {"apps": ["backend", "frontend"], "steps": [10, 50], "bake_seconds": 300, "outcome": "released",
           "revisions": {"backend": "prod-backend:8", "frontend": "prod-frontend:8"},
           "last_good": {"backend": "prod-backend:7", "frontend": "prod-frontend:7"},
           "alarms": ["prod-backend-b-5xx-rate", "prod-backend-b-p95-latency"]}
  contains:
    outcome:
      description: C(released), or C(planned) in check mode (a canary stopped by an alarm fails the task).
      type: str
    revisions:
      description: Per app, the task definition (family:revision) being released.
      type: dict
    last_good:
      description: Per app, what the active service ran before (where an undo returns the standby cell).
      type: dict
    alarms:
      description: The standby cell's alarms read at each step.
      type: list
      elements: str
canary_step:
  description: When a canary stopped, the step it stopped at.
  returned: when a canary failed
  type: str
  sample: "step 1/2 (10% to the standby cell)"
alarms_in_alarm:
  description: When a canary or a rollout stopped on alarms, the alarms that were in C(ALARM).
  returned: when a canary or a rollout failed on alarms
  type: list
  elements: str
timed_out:
  description: True when a wait ran out of time (as opposed to a failed deployment or an API error).
  returned: on wait failure
  type: bool
handoff:
  description: True when I(handoff) stopped the run before its first write or wait (nothing was written).
  returned: when I(handoff) stopped the run
  type: bool
  sample: true
pre_deploy_task:
  description:
    - When a pre-deploy task (I(apps[].pre_deploy)) did not pass, the task explained as in RV(stopped_tasks) (reasons,
      exit codes, last log lines, secrets redacted).
  returned: when a pre-deploy task failed
  type: dict
  version_added: 0.3.0
stopped_tasks:
  description:
    - The newest stopped tasks (up to 3) of the deployment whose wait failed, as in M(bandup.ecs.ecs_service)'s
      RV(bandup.ecs.ecs_service#module:stopped_tasks).
  returned: on wait failure, when the deployment's stopped tasks could be read
  type: list
  elements: dict
"""

from ansible_collections.bandup.ecs.plugins.module_utils._ecs import canary

from ansible_collections.bandup.ecs.plugins.module_utils._ecs import pre_deploy

from ansible_collections.bandup.ecs.plugins.module_utils._ecs import switch
from ansible_collections.bandup.ecs.plugins.module_utils.aws import AWSModule, run
from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet
from ansible_collections.bandup.ecs.plugins.module_utils._ecs.service_batch import ENTRY_OPTIONS, Batch, Handoff
from ansible_collections.bandup.ecs.plugins.module_utils._ecs.service_batch import check_unique

ARGUMENT_SPEC = dict(
    cluster=dict(type="str", required=True),
    services=dict(type="list", elements="dict", options=ENTRY_OPTIONS),
    apps=dict(type="list", elements="dict", options=dict(
        name=dict(type="str", required=True),
        active=dict(type="dict", required=True, options=ENTRY_OPTIONS),
        standby=dict(type="dict", required=True, options=ENTRY_OPTIONS),
        pre_deploy=dict(type="dict", options=pre_deploy.OPTIONS),
    )),
    listener_arns=dict(type="list", elements="str", default=[]),
    listener_weights=dict(type="dict"),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=900),
    wait_delay=dict(type="int", default=15),
    failure_log_lines=dict(type="int", default=20),
    target_health=dict(type="str", choices=["always", "after_change"], default="always"),
    release_strategy=dict(type="str", choices=list(canary.STRATEGIES), default="rolling"),
    canary=dict(type="dict", options=dict(
        steps=dict(type="list", elements="int", default=list(canary.DEFAULT_STEPS)),
        bake_time=dict(type="int", default=canary.DEFAULT_BAKE_SECONDS),
    )),
    progress_file=dict(type="path"),
    handoff=dict(type="bool", default=False),
)


def progress_writer(path):
    """Appends each progress line to ``path`` (the action plugin shows them while the module runs)."""
    def write(line):
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line.replace("\n", " ") + "\n")
    return write


def converge(batch, params):
    """The module's result values: the services in order, or the apps with their switch (or the handoff)."""
    try:
        return converge_all(batch, params)
    except Handoff:
        return dict(handoff=True)


def converge_all(batch, params):
    if params["services"] is not None:
        check_unique(params["services"])
        batch.run(params["services"])
        return dict(services=batch.results)
    options = params["canary"] or {}
    release = canary.Release(params["release_strategy"],
                             options.get("steps") if options.get("steps") is not None else canary.DEFAULT_STEPS,
                             options.get("bake_time") if options.get("bake_time") is not None
                             else canary.DEFAULT_BAKE_SECONDS, poll=batch.wait_delay)
    switched, order = switch.converge_apps(batch, params["apps"], params["listener_arns"], params["listener_weights"],
                                           release=release)
    return dict(services=batch.results, apps=switch.outputs(batch, params["apps"]), switched=switched,
                switch_order=order, canary=release.report)


def main():
    module = AWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True,
                       mutually_exclusive=[("services", "apps")], required_one_of=[("services", "apps")])
    params = module.params
    changes = ChangeSet(module.check_mode, module._diff)
    batch = Batch(module.client, params["cluster"], changes, wait=params["wait"], wait_timeout=params["wait_timeout"],
                  wait_delay=params["wait_delay"], failure_log_lines=params["failure_log_lines"],
                  target_health=params["target_health"])
    if params["progress_file"]:
        batch.progress = progress_writer(params["progress_file"])
    batch.handoff = params["handoff"] and not module.check_mode
    if batch.handoff:
        changes.before_write = batch.before_writes  # any write, whichever step sends it
    run(module, changes, lambda: converge(batch, params))


if __name__ == "__main__":
    main()
