"""The faithful endpoint: client tokens honoured like AWS (issue P, item 2). moto stores them and ignores them.

* EC2 CreateRouteTable, CreateNatGateway ``ClientToken``: a request with a token already used, and the same
  parameters, answers the resource the first request made (EC2 API guide, "Ensuring idempotency"); with other
  parameters ``IdempotentParameterMismatch``.
* ECS CreateService ``clientToken``: the same token and request answer the service the first request created
  (while it is ACTIVE) instead of "Creation of service was not idempotent."
* Cloud Map CreateHttpNamespace ``CreatorRequestId``: the same id and request answer the first request's
  OperationId (while its namespace exists) instead of a second operation (botocore: "allows failed
  CreateHttpNamespace requests to be retried without the risk of running the operation twice").

Always on (as on AWS). ``GET /faithful-api/tokens`` answers how many requests were answered from a token.
"""
import json

from .core import LOCK, RESET_HOOKS, WORLD, checked, patcher, route

SEEN = {}  # (account, region, operation, token) -> (request fingerprint, what it made)
COUNTS = {"replayed": 0}


def _reset():
    SEEN.clear()
    COUNTS["replayed"] = 0


RESET_HOOKS.append(_reset)


@route("GET", "tokens")
def tokens(_body):
    return 200, dict(COUNTS)


def _fingerprint(params, token_name):
    return json.dumps({k: v for k, v in params.items() if k != token_name}, sort_keys=True, default=str)


@patcher
def patch_tokens():
    from moto.core.responses import ActionResult
    from moto.ec2.exceptions import EC2ClientError
    from moto.ec2.responses.nat_gateways import NatGateways
    from moto.ec2.responses.route_tables import RouteTables
    from moto.ecs.responses import EC2ContainerServiceResponse as Ecs
    from moto.servicediscovery.responses import ServiceDiscoveryResponse as Cloudmap

    def ec2_create(operation, member, lookup, original):
        def create(self):
            token = self._get_param("ClientToken")
            if not token:
                return original(self)
            with LOCK:
                key = (self.current_account, self.region, operation, token)
                fingerprint = _fingerprint(self._get_params(), "ClientToken")
                if key in SEEN:
                    first, made_id = SEEN[key]
                    if first != fingerprint:
                        raise EC2ClientError("IdempotentParameterMismatch", "The client token you have provided is "
                                             "associated with a resource that is already deleted or has different "
                                             "parameters.")
                    made = lookup(self.ec2_backend, made_id)
                    if made is not None:
                        COUNTS["replayed"] += 1
                        return ActionResult({member: made})
                answer = original(self)
                SEEN[key] = (fingerprint, answer.result[member].id)
                return answer
        return create

    RouteTables.create_route_table = ec2_create("CreateRouteTable", "RouteTable",
                                                lambda ec2, rid: ec2.route_tables.get(rid),
                                                RouteTables.create_route_table)
    NatGateways.create_nat_gateway = ec2_create("CreateNatGateway", "NatGateway",
                                                lambda ec2, nid: ec2.nat_gateways.get(nid),
                                                NatGateways.create_nat_gateway)

    original_create_service = Ecs.create_service

    def create_service(self):
        token = self._get_param("clientToken")
        if not token:
            return original_create_service(self)
        with LOCK:
            request = self._get_params()
            key = (self.current_account, self.region, "CreateService", token)
            fingerprint = _fingerprint(request, "clientToken")
            if key in SEEN and SEEN[key][0] == fingerprint:
                fx = WORLD.services.get(SEEN[key][1])
                if fx is not None and fx.status == "ACTIVE":
                    COUNTS["replayed"] += 1
                    return checked("ecs", "CreateService", {"service": fx.render()})
            answer = original_create_service(self)
            cluster = (request.get("cluster") or "default").split("/")[-1]
            SEEN[key] = (fingerprint, (self.current_account, self.region, cluster, request["serviceName"]))
            return answer

    Ecs.create_service = create_service

    original_create_namespace = Cloudmap.create_http_namespace

    def create_http_namespace(self):
        params = json.loads(self.body or "{}")
        token = params.get("CreatorRequestId")
        if not token:
            return original_create_namespace(self)
        with LOCK:
            key = (self.current_account, self.region, "CreateHttpNamespace", token)
            fingerprint = _fingerprint(params, "CreatorRequestId")
            backend = self.servicediscovery_backend
            if key in SEEN and SEEN[key][0] == fingerprint:
                operation_id, name = SEEN[key][1]
                if any(ns.name == name for ns in backend.namespaces.values()):
                    COUNTS["replayed"] += 1
                    return json.dumps({"OperationId": operation_id})
            answer = original_create_namespace(self)
            SEEN[key] = (fingerprint, (json.loads(answer)["OperationId"], params.get("Name")))
            return answer

    Cloudmap.create_http_namespace = create_http_namespace
