"""The faithful endpoint: iam (see __init__.py)."""
import json

from .core import patcher



def _create_ecs_slr(iam):
    """AWSServiceRoleForECS as AWS names it (moto's create_service_linked_role would say AWSServiceRoleForecs)."""
    document = {"Version": "2012-10-17", "Statement": [{"Action": ["sts:AssumeRole"], "Effect": "Allow",
                                                        "Principal": {"Service": ["ecs.amazonaws.com"]}}]}
    return iam.create_role("AWSServiceRoleForECS", json.dumps(document), "/aws-service-role/ecs.amazonaws.com/",
                           permissions_boundary=None, description="Role to enable Amazon ECS to manage your cluster.",
                           tags=[], max_session_duration="3600", linked_service="ecs.amazonaws.com")


@patcher
def patch_iam():
    from moto.iam.exceptions import InvalidInput
    from moto.iam.responses import IamResponse as R

    original = R.create_service_linked_role

    def create_service_linked_role(self):
        if self._get_param("AWSServiceName") == "ecs.amazonaws.com" and not self._get_param("CustomSuffix"):
            if any(r.name == "AWSServiceRoleForECS" for r in self.backend.roles.values()):
                raise InvalidInput("Service role name AWSServiceRoleForECS has been taken in this account, please "
                                   "try a different suffix.")
            from moto.core.responses import ActionResult
            return ActionResult({"Role": _create_ecs_slr(self.backend)})
        return original(self)

    R.create_service_linked_role = create_service_linked_role


