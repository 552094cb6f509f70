"""The AWS-faithful local endpoint: moto's server, with ECS services that behave like AWS ECS.

    python tests/support/faithful_endpoint [-H 127.0.0.1] [-p PORT]

Started by scripts/local_endpoint.py (the default endpoint of `make demo`, `make test`, molecule and `make bench`;
``--plain-moto`` or ``BANDUP_ENDPOINT=moto`` start moto_server instead). It imports moto 5.2.5, replaces a few of
moto's response handlers in this process, adds a control API under ``/faithful-api/``, then serves moto's app.
This is a test fixture: nothing in plugins/, roles/ or inventories knows about it.

What moto does and this layer changes (AWS behaviour from botocore's models and the ECS guide):

* ECS services keep their state here (``FxService``): the service-level values as AWS reports them
  (``deploymentConfiguration`` with the circuit breaker, ``capacityProviderStrategy`` and no ``launchType``
  beside it, ``platformVersion``, ``healthCheckGracePeriodSeconds``, ``availabilityZoneRebalancing``,
  ``propagateTags``, ``enableECSManagedTags``), and deployments. Service Connect is reported only under
  ``deployments[].serviceConnectConfiguration`` (namespace as the Cloud Map ARN) and
  ``deployments[].serviceConnectResources``; there is no top-level member.
* A write that starts a deployment (CreateService; UpdateService with a new task definition, network, load
  balancers, Service Connect, platform version, service registries, launch type, or forceNewDeployment) makes a new
  PRIMARY deployment (IN_PROGRESS); the previous PRIMARY turns ACTIVE. UpdateService changing only
  ``capacityProviderStrategy``, ``deploymentConfiguration``, ``desiredCount`` or other service properties starts
  none (botocore's UpdateService documentation).
* Time is counted in polls. Every DescribeServices that names a service advances it one step ("tick";
  ``POST /faithful-api/tick`` advances without a DescribeServices). One tick does, in this order:
    1. tasks move on: PENDING -> RUNNING (their load balancer targets register as ``initial``); a RUNNING task's
       targets turn ``healthy`` on the next tick; a stopping task (DEACTIVATING, targets ``draining``) becomes
       STOPPED (targets leave, the ENI is deleted). Failing tasks (``/faithful-api/tasks/fail``) stop instead of
       running; tasks in an impaired AZ with a load balancer get ``unhealthy`` targets, and on the second such
       tick ECS judges them unhealthy ("(task ID) (port P) is unhealthy in (target-group ARN) due to (reason
       Request timed out).").
    2. the PRIMARY deployment starts the tasks it lacks (within ``maximumPercent``), spread over the subnets of its
       network configuration whose AZ is not impaired, or stops the ones it has too many of. A task judged
       unhealthy is replaced as ECS has done since October 2023: it does not count, its replacement starts
       first, and it stops ("Task failed ELB health checks in (target-group ARN)") only once as many
       replacements are healthy; with no room under ``maximumPercent`` one stops per tick as far as
       ``minimumHealthyPercent`` allows. In an impaired AZ no replacement can be placed (placement failure
       events), so the unhealthy tasks stay RUNNING, runningCount == desiredCount and a COMPLETED rollout stays
       COMPLETED: the service looks steady. A task whose targets turn healthy again is no longer replaced;
    3. tasks of older deployments stop as far as ``minimumHealthyPercent`` allows (counting healthy PRIMARY tasks);
       an older deployment with no task left disappears;
    4. the circuit breaker (when enabled, on an IN_PROGRESS PRIMARY): failed tasks and failed placements reaching
       0.5 x desired (clamped 3..200) turn it FAILED; with rollback a new PRIMARY with the configuration of the last
       COMPLETED deployment is created;
    5. a PRIMARY alone with all its desired tasks RUNNING and healthy turns COMPLETED ("has reached a steady state.").
  So a 2-task service behind a load balancer: CreateService, then poll 1 tasks PENDING, poll 2 RUNNING (targets
  initial), poll 3 targets healthy -> COMPLETED. An update of it: poll 1 new tasks PENDING, poll 2 RUNNING
  (initial), poll 3 healthy and the old tasks stop (draining), poll 4 old tasks STOPPED, old deployment gone,
  PRIMARY COMPLETED. Without a load balancer one poll less. DeleteService: DRAINING, tasks stop, INACTIVE on
  the tick after the last one stopped.
* Tasks exist: ListTasks (serviceName, desiredStatus, default RUNNING) and DescribeTasks show them in botocore's
  Task shape (startedBy the deployment id, group ``service:NAME``, an ENI with a private IP in the subnet).
* DescribeTargetHealth of a target group shows the ``ip`` targets of the service tasks registered in it.
  CreateService/UpdateService refuse a target group that no listener forwards to (as ECS does).
* Service Connect: a server entry creates the Cloud Map service named by its discoveryName (default portName);
  a discovery name or ``dnsName:port`` that another ECS service still serves in the namespace (its PRIMARY config,
  or an ACTIVE deployment that has it and still has tasks) is refused with InvalidParameterException
  "SC service is already used by <namespace arn> ...". Cloud Map services stay when the ECS service is deleted;
  DeleteNamespace answers ResourceInUse while the namespace holds services; ListServices honours NAMESPACE_ID.
* Service Connect clients: a task whose deployment has Service Connect resolves, when it is placed, the endpoints
  the other live ECS services serve in its namespace at that moment (``dnsName:port`` of each client alias, or
  ``discoveryName:containerPort`` without one, each with the Cloud Map service it maps to); an endpoint added
  later is not seen by that task (ECS guide, "Service Connect components").
* Service-linked role: a CreateCluster with capacity providers in an account without AWSServiceRoleForECS fails
  once ("Unable to assume the service linked role ..."); the role then exists (as ECS creates it). A second
  iam CreateServiceLinkedRole for ecs.amazonaws.com answers InvalidInput ("... has been taken ...").
* Client tokens (tokens.py): CreateRouteTable/CreateNatGateway ``ClientToken``, CreateService ``clientToken`` and
  CreateHttpNamespace ``CreatorRequestId`` answer a resend with the first request's resource, as AWS does (moto ignores them).
* Switches, off by default, for what AWS does on a first deploy: races.py (calls refused while a new target group,
  IAM role or the Application Auto Scaling service-linked role propagates; tasks with a new task role failing to
  start) and lag.py (new EC2 resources hidden from describes for a while; DescribeServices answering as before a
  write). Their control routes are documented in those modules.
* ARC zonal shift (arc.py; moto has no ``arc-zonal-shift``): requests signed for it are served here
  (StartZonalShift, UpdateZonalShift, CancelZonalShift, ListZonalShifts, GetManagedResource,
  ListManagedResources; they are in moto's request record). Managed resources are the load balancers with the
  attribute ``zonal_shift.config.enabled`` "true"; ``awayFrom`` must be the AZ ID (as ec2 DescribeAvailabilityZones
  reports ``ZoneId``) of one of the load balancer's AZs; ``expiresIn`` 1m..72h; comment <= 128 characters; one
  active shift per resource (ConflictException ZonalShiftAlreadyExists); ACTIVE until it expires (wall clock,
  which ``/faithful-api/zonal-shifts/advance`` moves on) or is canceled, then EXPIRED or CANCELED.
* The Price List Query API (pricing.py; moto has no ``pricing``): GetProducts answers AWS-shaped product documents
  (JSON strings) of the products the status report prices, for us-east-1, eu-west-1 and ap-southeast-1, filtered
  (TERM_MATCH on an attribute, productFamily, ServiceCode) and paged (MaxResults, NextToken); in moto's request
  record. No Fargate Spot product (undocumented whether AWS has one; the collection works either way).
* Every response this layer shapes is checked against botocore's output shape for its operation before it is
  sent (``check_shape``): a member the model does not have is a server error, not a silent drop.

Control API (JSON in and out, on this endpoint's port; client: tests/support/faithful.py):
    POST /faithful-api/az/impair   {"az": "us-east-1a"}          tasks cannot be placed there; its targets fail
    POST /faithful-api/az/restore  {"az": "us-east-1a"}
    POST /faithful-api/tasks/fail  {"cluster", "service", "exit_code": 1, "reason": "...", "log_lines": [...],
                                    "health_check": false}   tasks started from now on fail (not rollback ones)
    POST /faithful-api/tasks/heal  {"cluster", "service"}
    POST /faithful-api/tick        {"cluster", "service", "count": 1}   advance a service without DescribeServices
    GET  /faithful-api/state       services, deployments, tasks, impaired AZs, failing services
    POST /faithful-api/races       {"name", "count" | "seconds"}   (races.py; GET answers the switches and counts)
    POST /faithful-api/lag         {"seconds", "kinds", "stale_polls"}   (lag.py; GET likewise)
    GET  /faithful-api/tokens      creates answered from a client token (tokens.py)
    GET  /faithful-api/reachability          {"tick", "tasks": [...], "unreachable": [...]} (reachability.py)
    GET  /faithful-api/reachability/history  {"history": [{"tick", "serving", "unreachable"}, ...]}
    POST /faithful-api/reachability/reset    clears the history
    GET  /faithful-api/zonal-shifts          every ARC zonal shift with its status (arc.py)
    POST /faithful-api/zonal-shifts/advance  {"seconds": N}: the zonal shifts' clock moves on N seconds
    POST /faithful-api/pricing     {"deny": true}: pricing GetProducts answers AccessDeniedException (pricing.py)
/moto-api/reset also resets this layer.

Reachability (reachability.py): ``tick`` counts the ticks of all services. ``tasks`` lists every task that gets ALB
traffic now: some listener action (default or rule) forwards to its target group with weight > 0 (a plain forward
is weight 1), its target is healthy or every (not draining) target of the group is unhealthy (the ALB fails open
within a target group; a zonal shift has no effect then), and otherwise no active zonal shift moves that load
balancer away from the task's AZ. Its
``aliases`` map each endpoint it resolved at start to whether the Cloud Map service behind it is served now by a
RUNNING task outside an impaired AZ whose deployment's Service Connect config serves that name in that namespace,
and that is healthy (targets healthy, or without a load balancer RUNNING since an earlier tick of any service).
After every tick of any service a history entry ``{"tick", "serving": {service: tasks getting traffic},
"unreachable"}`` is appended (the last 20000 are kept).
"""

from .app import control, main, make_app, state  # noqa: F401,E402  the package's entry points
from .core import WORLD, check_shape, checked  # noqa: F401,E402
