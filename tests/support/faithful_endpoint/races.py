"""The faithful endpoint: races AWS has on a first deploy, each a switch, off by default (issue P, item 1).

AWS's services learn of each other's new resources with a delay; for a moment a call that names one is refused
with an error that says so, and the same call succeeds moments later (aws-facts.md, "Races and eventual
consistency"; terraform-provider-aws retries each). Switched on, the endpoint refuses like AWS:

* ``target-group``: ECS CreateService/UpdateService naming a target group whose forwarding listener rule (or
  default action) is new: InvalidParameterException "The target group with targetGroupArn ARN does not have an
  associated load balancer.";
* ``service-role``: ECS CreateService/UpdateService whose task definition names a new IAM role (task or execution
  role): InvalidParameterException "Unable to assume role and validate the specified targetGroupArn. Please verify
  that the ECS service role being passed has the proper permissions.";
* ``scaling-role``: the first RegisterScalableTarget calls of the account (Application Auto Scaling is creating
  AWSServiceRoleForApplicationAutoScaling_ECSService): ValidationException "Unable to assume IAM role: ARN";
* ``task-role``: a service task whose task definition names a new IAM role fails to start (stopCode
  TaskFailedToStart, "ECS was unable to assume the role ... that was provided for this task. ..."): the deployment
  starts another one on the next step, and the circuit breaker counts it as a failed task.

Each is switched on with ``POST /faithful-api/races {"name": NAME, "count": N}`` (the first N calls, or tasks, that
name each new resource are refused) or ``{"name": NAME, "seconds": S}`` (refused while the resource is younger
than S seconds); ``{"name": NAME}`` alone switches it off. ``GET /faithful-api/races`` answers the switches and how
many calls each refused. "New" means created while the switch was on (a role or a rule created before it is old).
"""
import time

from .core import LOCK, RESET_HOOKS, _backend, _ecs_error, _json_error, patcher, route
from .elbv2 import forwarded_target_groups

NAMES = ("target-group", "service-role", "scaling-role", "task-role")
SWITCHES = {}  # name -> {"count": N} or {"seconds": S}
REFUSED = {}  # name -> calls (or tasks) refused so far
BORN = {}  # ("tg", arn) / ("role", arn) / ("scaling", account) -> time it was created (while a switch was on)
HITS = {}  # same keys, per race -> refusals of that resource
TASK_ROLE_REASON = ("ECS was unable to assume the role '{arn}' that was provided for this task. Please verify that "
                    "the role being passed has the proper trust relationship and permissions and that your IAM user "
                    "has permissions to pass this role.")


def _reset():
    SWITCHES.clear()
    REFUSED.clear()
    BORN.clear()
    HITS.clear()


RESET_HOOKS.append(_reset)


@route("POST", "races")
def switch(body):
    name = body.get("name")
    if name not in NAMES:
        return 400, {"error": f"name: one of {list(NAMES)}"}
    if body.get("count"):
        SWITCHES[name] = {"count": int(body["count"])}
    elif body.get("seconds"):
        SWITCHES[name] = {"seconds": float(body["seconds"])}
    else:
        SWITCHES.pop(name, None)
    return 200, report()


@route("GET", "races")
def races(_body):
    return 200, report()


def report():
    return {"switches": dict(SWITCHES), "refused": dict(REFUSED)}


def _born(key):
    """Record that the resource ``key`` was just created (only while some switch that cares is on)."""
    if SWITCHES:
        BORN.setdefault(key, time.monotonic())


def refuse(name, key):
    """Whether the race ``name`` refuses this call (or task) naming the resource ``key``; counts it if so."""
    spec = SWITCHES.get(name)
    if not spec or key not in BORN:
        return False
    hits = HITS.get((name, key), 0)
    if "count" in spec:
        hit = hits < spec["count"]
    else:
        hit = time.monotonic() - BORN[key] < spec["seconds"]
    if hit:
        HITS[(name, key)] = hits + 1
        REFUSED[name] = REFUSED.get(name, 0) + 1
    return hit


# ----------------------------------------------------------------------------------------------- what is new

def _task_definition_roles(account, region, task_definition):
    if not task_definition:
        return []
    try:
        td = _backend("ecs", account, region).describe_task_definition(task_definition)
    except Exception:  # noqa: BLE001 - moto answers its own error for a missing one
        return []
    return [arn for arn in (getattr(td, "task_role_arn", None), getattr(td, "execution_role_arn", None)) if arn]


def _check_service_call(account, region, request):
    """The race errors of a CreateService/UpdateService ``request`` (raised before the call reaches ECS)."""
    for entry in request.get("loadBalancers") or []:
        arn = entry.get("targetGroupArn")
        if refuse("target-group", ("tg", arn)):
            raise _ecs_error("InvalidParameterException", f"The target group with targetGroupArn {arn} does not "
                                                          "have an associated load balancer.")
    for arn in _task_definition_roles(account, region, request.get("taskDefinition")):
        if refuse("service-role", ("role", arn)):
            raise _ecs_error("InvalidParameterException", "Unable to assume role and validate the specified "
                             "targetGroupArn. Please verify that the ECS service role being passed has the proper "
                             "permissions.")


# ----------------------------------------------------------------------------------------------- patches

@patcher
def patch_races():
    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse as Scaling
    from moto.ecs.responses import EC2ContainerServiceResponse as Ecs
    from moto.elbv2.responses import ELBV2Response as Elb
    from moto.iam.responses import IamResponse as Iam

    from . import ecs as fx_ecs

    def after_elb(original):
        def handler(self):
            if not SWITCHES:
                return original(self)
            with LOCK:
                before = forwarded_target_groups(self.current_account, self.region)
                answer = original(self)
                for arn in forwarded_target_groups(self.current_account, self.region) - before:
                    _born(("tg", arn))
                return answer
        return handler

    for name in ("create_rule", "create_listener", "modify_listener", "modify_rule"):
        setattr(Elb, name, after_elb(getattr(Elb, name)))

    original_create_role = Iam.create_role

    def create_role(self):
        answer = original_create_role(self)
        if SWITCHES:
            with LOCK:
                role = self.backend.get_role(self._get_param("RoleName"))
                _born(("role", role.arn))
        return answer

    Iam.create_role = create_role

    def before_ecs(original):
        def handler(self):
            if SWITCHES:
                with LOCK:
                    request = self._get_params()
                    _check_service_call(self.current_account, self.region, request)
            return original(self)
        return handler

    Ecs.create_service = before_ecs(Ecs.create_service)
    Ecs.update_service = before_ecs(Ecs.update_service)

    original_register = Scaling.register_scalable_target

    def register_scalable_target(self):
        if "scaling-role" in SWITCHES:
            with LOCK:
                account = self.current_account
                _born(("scaling", account))
                if refuse("scaling-role", ("scaling", account)):
                    raise _json_error("ValidationException", f"Unable to assume IAM role: arn:aws:iam::{account}:role/"
                                      "aws-service-role/ecs.application-autoscaling.amazonaws.com/"
                                      "AWSServiceRoleForApplicationAutoScaling_ECSService")
        return original_register(self)

    Scaling.register_scalable_target = register_scalable_target

    # task-role: a task whose task definition names a new role fails to start, as on Fargate.
    task_class = fx_ecs.FxTask
    original_init, original_advance = task_class.__init__, task_class.advance

    def init(self, service, deployment, *args, **kwargs):
        original_init(self, service, deployment, *args, **kwargs)
        self.race_role = None
        if "task-role" in SWITCHES and not deployment.rollback_of:
            for arn in _task_definition_roles(service.account, service.region, self.task_definition_arn):
                if refuse("task-role", ("role", arn)):
                    self.race_role = arn
                    break

    def advance(self):
        if self.race_role and self.last_status == "PENDING":
            self.stop(TASK_ROLE_REASON.format(arn=self.race_role), "TaskFailedToStart")
            return "failed"
        return original_advance(self)

    task_class.__init__ = init
    task_class.advance = advance
