"""The faithful endpoint: eventual consistency, a switch, off by default (issue P, item 2).

AWS's reads lag behind its writes: "a resource that you create might not be immediately visible to subsequent
describe calls; it can take seconds, rarely minutes" (EC2 API guide, "Eventual consistency"); the ECS API is
eventually consistent too, and the poll right after CreateService/UpdateService can show no service, or the
deployments from before the write (aws-facts.md, "Races and eventual consistency"). Switched on:

* ``seconds`` + ``kinds``: EC2 resources of these kinds created less than ``seconds`` ago are left out of the
  Describe answers (``vpc``, ``subnet``, ``route-table``, ``security-group``, ``internet-gateway``, ``address``,
  ``nat-gateway``); a write that names one by id still works, as on AWS most of the time;
* ``stale_polls``: the first N DescribeServices of a service after a CreateService/UpdateService answer as before
  the write (no service: a ``MISSING`` failure; else the service as it was). The service still moves on meanwhile.

``POST /faithful-api/lag {"seconds": S, "kinds": [...], "stale_polls": N}`` sets the switch (``{}`` turns it
off); ``GET /faithful-api/lag`` answers it and how many answers lagged (``hidden``, ``stale``).
"""
import threading
import time

from .core import LOCK, RESET_HOOKS, WORLD, checked, patcher, route

KINDS = {  # kind -> (backend describe method, backend create method)
    "vpc": ("describe_vpcs", "create_vpc"),
    "subnet": ("describe_subnets", "create_subnet"),
    "route-table": ("describe_route_tables", "create_route_table"),
    "security-group": ("describe_security_groups", "create_security_group"),
    "internet-gateway": ("describe_internet_gateways", "create_internet_gateway"),
    "address": ("describe_addresses", "allocate_address"),
    "nat-gateway": ("describe_nat_gateways", "create_nat_gateway"),
}
SWITCH = {}
BORN = {}  # resource id -> time.monotonic() of its creation (while the switch was on)
STALE = {}  # (account, region, cluster, service) -> [polls left, what the service looked like before the write]
COUNTS = {"hidden": 0, "stale": 0}
ANSWERING = threading.local()  # .describe: a Describe* request is being answered (moto's own look-ups by id,
#                                e.g. AttachInternetGateway's, see everything)


def _reset():
    SWITCH.clear()
    BORN.clear()
    STALE.clear()
    COUNTS.update(hidden=0, stale=0)


RESET_HOOKS.append(_reset)


def report():
    return {"switch": dict(SWITCH), **COUNTS}


@route("POST", "lag")
def switch(body):
    unknown = sorted(set(body.get("kinds") or []) - set(KINDS))
    if unknown:
        return 400, {"error": f"kinds: {unknown} not in {sorted(KINDS)}"}
    SWITCH.clear()
    SWITCH.update({k: body[k] for k in ("seconds", "kinds", "stale_polls") if body.get(k)})
    return 200, report()


@route("GET", "lag")
def lag(_body):
    return 200, report()


def _rid(resource):
    return getattr(resource, "allocation_id", None) or getattr(resource, "id", None)


def hidden(resource):
    """Whether a described resource is still too new to show."""
    born = BORN.get(_rid(resource))
    return born is not None and time.monotonic() - born < SWITCH.get("seconds", 0)


@patcher
def patch_lag():
    from moto.ec2.models import EC2Backend
    from moto.ec2.responses import EC2Response
    from moto.ecs.responses import EC2ContainerServiceResponse as Ecs

    def creating(kind, original):
        def create(self, *args, **kwargs):
            made = original(self, *args, **kwargs)
            if kind in (SWITCH.get("kinds") or ()):
                BORN[_rid(made)] = time.monotonic()
            return made
        return create

    def describing(original):
        def describe(self, *args, **kwargs):
            found = original(self, *args, **kwargs)
            if not BORN or not SWITCH.get("seconds") or not getattr(ANSWERING, "describe", False):
                return found
            shown = [resource for resource in found if not hidden(resource)]
            COUNTS["hidden"] += len(found) - len(shown)
            return shown
        return describe

    def answering(original):
        def handler(self):
            ANSWERING.describe = True
            try:
                return original(self)
            finally:
                ANSWERING.describe = False
        return handler

    for kind, (describe, create) in KINDS.items():
        setattr(EC2Backend, create, creating(kind, getattr(EC2Backend, create)))
        setattr(EC2Backend, describe, describing(getattr(EC2Backend, describe)))
        setattr(EC2Response, describe, answering(getattr(EC2Response, describe)))

    def writing(original, name_param):
        def write(self):
            if not SWITCH.get("stale_polls"):
                return original(self)
            with LOCK:
                cluster = (self._get_param("cluster") or "default").split("/")[-1]
                name = self._get_param(name_param).split("/")[-1]
                key = (self.current_account, self.region, cluster, name)
                before = WORLD.services.get(key)
                snapshot = before.render(include_tags=True) if before is not None and before.status != "INACTIVE" \
                    else None
                answer = original(self)
                STALE[key] = [SWITCH["stale_polls"], snapshot]
                return answer
        return write

    Ecs.create_service = writing(Ecs.create_service, "serviceName")
    Ecs.update_service = writing(Ecs.update_service, "service")
    original_describe = Ecs.describe_services

    def describe_services(self):
        answer = original_describe(self)
        if not STALE:
            return answer
        with LOCK:
            cluster = (self._get_param("cluster") or "default").split("/")[-1]
            result = answer.result
            services, failures = list(result["services"]), list(result.get("failures") or [])
            for name in [n.split("/")[-1] for n in self._get_param("services", [])]:
                key = (self.current_account, self.region, cluster, name)
                if key not in STALE:
                    continue
                left, snapshot = STALE[key]
                if left <= 1:
                    del STALE[key]
                else:
                    STALE[key][0] = left - 1
                COUNTS["stale"] += 1
                services = [s for s in services if s["serviceName"] != name]
                if snapshot is None:
                    failures.append({"arn": f"arn:aws:ecs:{self.region}:{self.current_account}:service/{cluster}/"
                                            f"{name}", "reason": "MISSING"})
                else:
                    services.append(snapshot)
            return checked("ecs", "DescribeServices", {"services": services, "failures": failures})

    Ecs.describe_services = describe_services
