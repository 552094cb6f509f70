"""The faithful endpoint: core (see __init__.py)."""
import datetime
import random
import threading



LOCK = threading.RLock()
STEADY = "has reached a steady state."
PLACEMENT_FAILURE = ("was unable to place a task. Reason: Capacity is unavailable at this time. Please try again "
                     "later or in a different availability zone.")
DEPLOYING_FIELDS = ("taskDefinition", "networkConfiguration", "loadBalancers", "serviceConnectConfiguration",
                    "platformVersion", "serviceRegistries", "launchType", "volumeConfigurations")
DEFAULT_DEPLOYMENT_CONFIGURATION = {
    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
    "strategy": "ROLLING",
}
FARGATE_PLATFORM = "1.4.0"


def now():
    return datetime.datetime.now(datetime.timezone.utc)


class World:
    """Everything the layer keeps besides moto's backends; reset with them."""

    def __init__(self):
        self.services = {}  # (account, region, cluster name, service name) -> FxService
        self.impaired = set()  # AZ names
        self.failing = {}  # (cluster name, service name) -> fail spec
        self.ip_counter = {}  # subnet id -> next host index
        self.ticks = 0  # ticks of any service so far (the reachability probe's clock)

    def reset(self):
        self.__init__()
        for hook in RESET_HOOKS:
            hook()


WORLD = World()

# Each module of this package adds its moto patches and control API routes here (app.py imports every module of
# the package), so a new behaviour is a new file and not an edit of a shared one.
PATCHES = []
ROUTES = {}  # (method, path) -> handler(body) -> (status, answer)
RESET_HOOKS = []  # functions that clear a module's own state on /moto-api/reset
TICK_HOOKS = []  # functions called (under LOCK) after every tick of any service
SERVICES = {}  # SigV4 signing name of an AWS service moto does not have -> WSGI app serving it (see ``serves``)


def patcher(function):
    """Decorator: run this function (which replaces moto response handlers) when the app is made."""
    PATCHES.append(function)
    return function


def serves(signing_name):
    """Decorator: requests signed for ``signing_name`` (the SigV4 credential scope's service) go to this WSGI app
    instead of moto's (for a service moto does not have)."""
    def register(app):
        SERVICES[signing_name] = app
        return app
    return register


def route(method, path):
    """Decorator: serve ``METHOD /faithful-api/PATH`` with this handler (body dict -> (status, JSON-able answer));
    it runs under LOCK."""
    def register(handler):
        ROUTES[(method, path)] = handler
        return handler
    return register


# ----------------------------------------------------------------------------------------------- moto access

def _backend(name, account, region):
    from moto.backends import get_backend
    return get_backend(name)[account][region]


def _iam(account):
    from moto.iam.models import iam_backends
    return iam_backends[account]["global"]


def _ecs_error(code, message):
    from moto.ecs.exceptions import ECSException  # moto finds the error model by the exception's module
    return ECSException(code, message)


def _json_error(code, message):
    from moto.core.exceptions import JsonRESTError
    return JsonRESTError(code, message)


# ----------------------------------------------------------------------------------------------- shape check

_MODELS = {}


def _service_model(service):
    if service not in _MODELS:
        import botocore.session
        _MODELS[service] = botocore.session.get_session().get_service_model(service)
    return _MODELS[service]


def check_shape(shape, value, path="$", raw=False):
    """Raise ValueError if ``value`` does not fit the botocore ``shape`` (unknown members, wrong types).

    ``raw``: ``value`` is a decoded JSON answer (timestamps are numbers)."""
    kind = shape.type_name
    if value is None:
        raise ValueError(f"{path}: None where {shape.name} expected (omit the member instead)")
    if kind == "structure":
        if not isinstance(value, dict):
            raise ValueError(f"{path}: {type(value).__name__} where structure {shape.name} expected")
        for key, item in value.items():
            if key not in shape.members:
                raise ValueError(f"{path}: {shape.name} has no member {key!r}")
            check_shape(shape.members[key], item, f"{path}.{key}", raw)
    elif kind == "list":
        if not isinstance(value, list):
            raise ValueError(f"{path}: {type(value).__name__} where list {shape.name} expected")
        for index, item in enumerate(value):
            check_shape(shape.member, item, f"{path}[{index}]", raw)
    elif kind == "map":
        if not isinstance(value, dict):
            raise ValueError(f"{path}: {type(value).__name__} where map expected")
        for key, item in value.items():
            check_shape(shape.value, item, f"{path}[{key!r}]", raw)
    elif kind == "string":
        if not isinstance(value, str):
            raise ValueError(f"{path}: {type(value).__name__} where string expected")
        if shape.enum and value not in shape.enum:
            raise ValueError(f"{path}: {value!r} is not one of {shape.enum}")
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{path}: {type(value).__name__} where {kind} expected")
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise ValueError(f"{path}: {type(value).__name__} where boolean expected")
    elif kind == "timestamp":
        if not isinstance(value, (int, float) if raw else datetime.datetime):
            raise ValueError(f"{path}: {type(value).__name__} where timestamp expected")
    elif kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{path}: {type(value).__name__} where {kind} expected")


def checked(service, operation, result):
    """``result`` after checking it against the output shape of ``operation``; an ActionResult for moto."""
    from moto.core.responses import ActionResult
    check_shape(_service_model(service).operation_model(operation).output_shape, result, operation)
    return ActionResult(result)


# ----------------------------------------------------------------------------------------------- helpers

def _deployment_id():
    return "ecs-svc/" + "".join(random.choice("0123456789") for _ in range(19))


def _sorted_network(network):
    if not network:
        return None
    vpc = dict(network.get("awsvpcConfiguration") or {})
    vpc["subnets"] = sorted(vpc.get("subnets") or [])
    vpc["securityGroups"] = sorted(vpc.get("securityGroups") or [])
    vpc.setdefault("assignPublicIp", "DISABLED")
    return {"awsvpcConfiguration": vpc}


def _namespace(account, region, name_or_arn):
    """The Cloud Map namespace (moto object) named by name, id or ARN, or None."""
    sd = _backend("servicediscovery", account, region)
    for ns in sd.namespaces.values():
        if name_or_arn in (ns.name, ns.id, ns.arn):
            return ns
    return None


def sc_endpoints(config):
    """{discovery name, 'dnsName:port'} a Service Connect config serves (empty for a client)."""
    keys = set()
    if not config or not config.get("enabled"):
        return keys
    for entry in config.get("services") or []:
        discovery = entry.get("discoveryName") or entry["portName"]
        keys.add(discovery)
        for alias in entry.get("clientAliases") or []:
            keys.add(f"{alias.get('dnsName') or discovery}:{alias['port']}")
    return keys


def _deep_merge(base, extra):
    out = dict(base)
    for key, value in (extra or {}).items():
        out[key] = _deep_merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) \
            else value
    return out


