# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options of one ECS service and of its autoscaling, documented once: top level for M(bandup.ecs.ecs_service)
and M(bandup.ecs.ecs_service_scaling), as the suboptions of every entry of M(bandup.ecs.ecs_app_services) (its
C(services) and the C(active) and C(standby) of its C(apps)). Mirrors the argument specs of
module_utils/_ecs/ecs_service.py (SERVICE_OPTIONS), ecs_scaling.py (SCALING_OPTIONS) and service_batch.py (ENTRY_OPTIONS).

ansible-test reads doc fragments as literal strings, so the service options are written twice (top level for
ecs_service; once more, as entry suboptions with task_definition, availability_zone and network required, for
ecs_app_services, whose apps reuse them through a YAML alias) and the scaling options twice (top level, and inside an
entry's autoscaling). tests/unit/plugins/test_doc_fragments.py fails when the copies differ from each other or from
the argument specs."""

from __future__ import annotations


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    # bandup.ecs.ecs_service: one service (name required; task_definition, network, availability_zone with state=present).
    DOCUMENTATION = r"""
options:
  name:
    description: Service name.
    type: str
    required: true
  task_definition:
    description: Task definition ARN, or C(family:revision) (resolved to its ARN). Required with I(state=present).
    type: str
  desired_count:
    description:
      - Number of tasks. Required when the service is created.
      - On an existing service it is applied only when no scalable target owns the count, or with I(force_desired_count).
    type: int
  force_desired_count:
    description: Apply I(desired_count) even when an Application Auto Scaling scalable target owns it.
    type: bool
    default: false
  availability_zone:
    description: The one availability zone that every subnet of I(network.subnets) must lie in.
    type: str
  network:
    description: The awsvpc network configuration. Required with I(state=present).
    type: dict
    suboptions:
      subnets:
        description: Subnet ids, all in I(availability_zone).
        type: list
        elements: str
        required: true
      security_groups:
        description: Security group ids.
        type: list
        elements: str
        required: true
      assign_public_ip:
        description: Give each task a public IP.
        type: bool
        default: false
  capacity_provider_strategy:
    description:
      - Capacity provider strategy (C(FARGATE) and/or C(FARGATE_SPOT)).
      - A change is sent with C(forceNewDeployment), so the service is redeployed onto the new strategy
        (UpdateService alone starts no deployment for it and leaves the running tasks where they are).
    type: list
    elements: dict
    default: [{capacity_provider: FARGATE, weight: 1, base: 0}]
    suboptions:
      capacity_provider:
        description: Capacity provider name.
        type: str
        required: true
      weight:
        description: Relative weight.
        type: int
        default: 1
      base:
        description: Tasks placed on this provider first.
        type: int
        default: 0
  load_balancers:
    description: Target groups the tasks register in (an empty list detaches them).
    type: list
    elements: dict
    default: []
    suboptions:
      target_group_arn:
        description: Target group ARN (target type C(ip)).
        type: str
        required: true
      container_name:
        description: Container that receives the traffic.
        type: str
        required: true
      container_port:
        description: Container port that receives the traffic.
        type: int
        required: true
  service_connect:
    description:
      - Service Connect configuration; omit it to leave Service Connect unmanaged.
      - A server lists I(services); a client-only service gives only I(namespace).
      - Discovery names and C(dns_name:port) endpoints are unique in a namespace; before writing a server
        configuration the module checks the other services of the cluster and fails naming the owner.
    type: dict
    suboptions:
      enabled:
        description: Enable Service Connect.
        type: bool
        default: true
      namespace:
        description: Cloud Map namespace name or ARN.
        type: str
      services:
        description: Endpoints this service serves.
        type: list
        elements: dict
        suboptions:
          port_name:
            description: Name of the task definition port mapping.
            type: str
            required: true
          discovery_name:
            description: Cloud Map service name (defaults to I(port_name)).
            type: str
          client_aliases:
            description: Endpoints clients use (at most one per entry).
            type: list
            elements: dict
            suboptions:
              port:
                description: Port clients connect to.
                type: int
                required: true
              dns_name:
                description: DNS name clients use.
                type: str
  deployment:
    description:
      - Rolling deployment configuration.
      - A change applies to the next deployment; on its own it starts none (UpdateService does not deploy for
        it). Change I(task_definition) or set I(force_new_deployment) to deploy with it now.
    type: dict
    default: {}
    suboptions:
      minimum_healthy_percent:
        description: Lower limit of running tasks during a deployment, in percent of the desired count.
        type: int
        default: 100
      maximum_percent:
        description: Upper limit of running tasks during a deployment, in percent of the desired count.
        type: int
        default: 200
      circuit_breaker:
        description: Enable the deployment circuit breaker.
        type: bool
        default: true
      rollback:
        description: Roll back when the circuit breaker trips.
        type: bool
        default: true
      alarms:
        description:
          - CloudWatch alarm names ECS watches during a rolling deployment (C(deploymentConfiguration.alarms), enabled,
            rolling back when one is in ALARM); C([]) turns the alarms off; unmanaged when omitted.
        type: list
        elements: str
  health_check_grace_period:
    description: Seconds to ignore failing load balancer health checks after a task starts (unmanaged when omitted).
    type: int
  availability_zone_rebalancing:
    description: AZ rebalancing (unmanaged when omitted; AWS enables it on create).
    type: str
    choices: [ENABLED, DISABLED]
  propagate_tags:
    description: Propagate tags to tasks from the service or the task definition (unmanaged when omitted).
    type: str
    choices: [SERVICE, TASK_DEFINITION, NONE]
  enable_ecs_managed_tags:
    description: Add the ECS managed tags to tasks (unmanaged when omitted).
    type: bool
  platform_version:
    description: Fargate platform version, for example C(LATEST) or C(1.4.0) (unmanaged when omitted).
    type: str
  deployment_token:
    description:
      - An opaque value recorded with the last-applied spec; when it changes the module forces a new deployment
        (e.g. to redeploy Service Connect clients after an endpoint appeared, as clients see the endpoints that existed
        at their last deployment). Leaving it out after giving it redeploys nothing. The service role no longer uses it.
    type: str
  force_new_deployment:
    description: Force a new deployment even if nothing changed.
    type: bool
    default: false
  tags:
    description: Tags to set on the service.
    type: dict
    default: {}
  purge_tags:
    description: Remove tags not in I(tags) (the C(bandup:last-applied) and C(bandup:last-good) records are kept).
    type: bool
    default: false
"""

    # bandup.ecs.ecs_service_scaling
    SCALING = r"""
options:
  state:
    description: C(present) or C(absent).
    type: str
    choices: [present, absent]
    default: present
  min_capacity:
    description: Lowest desired count. Required with I(state=present).
    type: int
  max_capacity:
    description: Highest desired count. Required with I(state=present).
    type: int
  policies:
    description: Target tracking policies.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Policy name.
        type: str
        required: true
      metric:
        description: C(cpu), C(memory) (percent) or C(requests) (ALB requests per target).
        type: str
        choices: [cpu, memory, requests]
        required: true
      target_value:
        description: The metric value to hold.
        type: float
        required: true
      resource_label:
        description: C(app/<lb>/<id>/targetgroup/<tg>/<id>); required for C(requests).
        type: str
      scale_in_cooldown:
        description: Seconds after a scale-in before another.
        type: int
        default: 300
      scale_out_cooldown:
        description: Seconds after a scale-out before another.
        type: int
        default: 60
"""

    # bandup.ecs.ecs_app_services: the entries of services and of apps (the module documents the options themselves).
    ENTRIES = r"""
options:
  services:
    suboptions: &entry
      name:
        description: Service name.
        type: str
        required: true
      task_definition:
        required: true
        description: Task definition ARN, or C(family:revision) (resolved to its ARN). Required with I(state=present).
        type: str
      desired_count:
        description:
          - Number of tasks. Required when the service is created.
          - On an existing service it is applied only when no scalable target owns the count, or with I(force_desired_count).
        type: int
      force_desired_count:
        description: Apply I(desired_count) even when an Application Auto Scaling scalable target owns it.
        type: bool
        default: false
      availability_zone:
        required: true
        description: The one availability zone that every subnet of I(network.subnets) must lie in.
        type: str
      network:
        required: true
        description: The awsvpc network configuration. Required with I(state=present).
        type: dict
        suboptions:
          subnets:
            description: Subnet ids, all in I(availability_zone).
            type: list
            elements: str
            required: true
          security_groups:
            description: Security group ids.
            type: list
            elements: str
            required: true
          assign_public_ip:
            description: Give each task a public IP.
            type: bool
            default: false
      capacity_provider_strategy:
        description:
          - Capacity provider strategy (C(FARGATE) and/or C(FARGATE_SPOT)).
          - A change is sent with C(forceNewDeployment), so the service is redeployed onto the new strategy
            (UpdateService alone starts no deployment for it and leaves the running tasks where they are).
        type: list
        elements: dict
        default: [{capacity_provider: FARGATE, weight: 1, base: 0}]
        suboptions:
          capacity_provider:
            description: Capacity provider name.
            type: str
            required: true
          weight:
            description: Relative weight.
            type: int
            default: 1
          base:
            description: Tasks placed on this provider first.
            type: int
            default: 0
      load_balancers:
        description: Target groups the tasks register in (an empty list detaches them).
        type: list
        elements: dict
        default: []
        suboptions:
          target_group_arn:
            description: Target group ARN (target type C(ip)).
            type: str
            required: true
          container_name:
            description: Container that receives the traffic.
            type: str
            required: true
          container_port:
            description: Container port that receives the traffic.
            type: int
            required: true
      service_connect:
        description:
          - Service Connect configuration; omit it to leave Service Connect unmanaged.
          - A server lists I(services); a client-only service gives only I(namespace).
          - Discovery names and C(dns_name:port) endpoints are unique in a namespace; before writing a server
            configuration the module checks the other services of the cluster and fails naming the owner.
        type: dict
        suboptions:
          enabled:
            description: Enable Service Connect.
            type: bool
            default: true
          namespace:
            description: Cloud Map namespace name or ARN.
            type: str
          services:
            description: Endpoints this service serves.
            type: list
            elements: dict
            suboptions:
              port_name:
                description: Name of the task definition port mapping.
                type: str
                required: true
              discovery_name:
                description: Cloud Map service name (defaults to I(port_name)).
                type: str
              client_aliases:
                description: Endpoints clients use (at most one per entry).
                type: list
                elements: dict
                suboptions:
                  port:
                    description: Port clients connect to.
                    type: int
                    required: true
                  dns_name:
                    description: DNS name clients use.
                    type: str
      deployment:
        description:
          - Rolling deployment configuration.
          - A change applies to the next deployment; on its own it starts none (UpdateService does not deploy for
            it). Change I(task_definition) or set I(force_new_deployment) to deploy with it now.
        type: dict
        default: {}
        suboptions:
          minimum_healthy_percent:
            description: Lower limit of running tasks during a deployment, in percent of the desired count.
            type: int
            default: 100
          maximum_percent:
            description: Upper limit of running tasks during a deployment, in percent of the desired count.
            type: int
            default: 200
          circuit_breaker:
            description: Enable the deployment circuit breaker.
            type: bool
            default: true
          rollback:
            description: Roll back when the circuit breaker trips.
            type: bool
            default: true
          alarms:
            description:
              - CloudWatch alarm names ECS watches during a rolling deployment (C(deploymentConfiguration.alarms), enabled,
                rolling back when one is in ALARM); C([]) turns the alarms off; unmanaged when omitted.
            type: list
            elements: str
      health_check_grace_period:
        description: Seconds to ignore failing load balancer health checks after a task starts (unmanaged when omitted).
        type: int
      availability_zone_rebalancing:
        description: AZ rebalancing (unmanaged when omitted; AWS enables it on create).
        type: str
        choices: [ENABLED, DISABLED]
      propagate_tags:
        description: Propagate tags to tasks from the service or the task definition (unmanaged when omitted).
        type: str
        choices: [SERVICE, TASK_DEFINITION, NONE]
      enable_ecs_managed_tags:
        description: Add the ECS managed tags to tasks (unmanaged when omitted).
        type: bool
      platform_version:
        description: Fargate platform version, for example C(LATEST) or C(1.4.0) (unmanaged when omitted).
        type: str
      deployment_token:
        description:
          - An opaque value recorded with the last-applied spec; when it changes the module forces a new deployment
            (e.g. to redeploy Service Connect clients after an endpoint appeared, as clients see the endpoints that existed
            at their last deployment). Leaving it out after giving it redeploys nothing. The service role no longer uses it.
        type: str
      force_new_deployment:
        description: Force a new deployment even if nothing changed.
        type: bool
        default: false
      tags:
        description: Tags to set on the service.
        type: dict
        default: {}
      purge_tags:
        description: Remove tags not in I(tags) (the C(bandup:last-applied) and C(bandup:last-good) records are kept).
        type: bool
        default: false
      autoscaling:
        description:
          - The service's target tracking autoscaling, as M(bandup.ecs.ecs_service_scaling) manages it, applied after
            the service converged. Omit it to leave the service's autoscaling unmanaged.
        type: dict
        suboptions:
          state:
            description: C(present) or C(absent).
            type: str
            choices: [present, absent]
            default: present
          min_capacity:
            description: Lowest desired count. Required with I(state=present).
            type: int
          max_capacity:
            description: Highest desired count. Required with I(state=present).
            type: int
          policies:
            description: Target tracking policies.
            type: list
            elements: dict
            default: []
            suboptions:
              name:
                description: Policy name.
                type: str
                required: true
              metric:
                description: C(cpu), C(memory) (percent) or C(requests) (ALB requests per target).
                type: str
                choices: [cpu, memory, requests]
                required: true
              target_value:
                description: The metric value to hold.
                type: float
                required: true
              resource_label:
                description: C(app/<lb>/<id>/targetgroup/<tg>/<id>); required for C(requests).
                type: str
              scale_in_cooldown:
                description: Seconds after a scale-in before another.
                type: int
                default: 300
              scale_out_cooldown:
                description: Seconds after a scale-out before another.
                type: int
                default: 60
      wait:
        description:
          - Overrides the module's I(wait) for this entry; C(false) sends its writes without waiting for its deployment
            (e.g. a service in an impaired AZ, whose deployment cannot finish).
        type: bool
  apps:
    suboptions:
      name:
        description: The app's name (unique).
        type: str
        required: true
      active:
        description: The service that must be the app's active one.
        type: dict
        required: true
        suboptions: *entry
      standby:
        description: The service that must be the app's standby one.
        type: dict
        required: true
        suboptions: *entry
      pre_deploy:
        description:
          - A one-off task that gates the app's rollout (e.g. a database migration), run before anything of the run is
            written when the app's new revision (the C(active) entry's task definition) is on none of its live
            services; see I(apps).
        type: dict
        version_added: 0.3.0
        suboptions:
          command:
            description: The command that replaces the container's (C(containerOverrides[].command)).
            type: list
            elements: str
            required: true
          container:
            description: The container of the task definition whose command it replaces.
            type: str
            required: true
          timeout:
            description: Seconds the task may take; a task still running then is stopped and the module fails.
            type: int
            default: 600
"""
