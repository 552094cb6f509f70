"""The faithful endpoint: cloudmap (see __init__.py)."""
import json

from .core import LOCK, _json_error, patcher


# ----------------------------------------------------------------------------------------------- Cloud Map, IAM

@patcher
def patch_servicediscovery():
    from moto.servicediscovery.responses import ServiceDiscoveryResponse as R

    original_delete = R.delete_namespace

    def delete_namespace(self):
        with LOCK:
            namespace_id = json.loads(self.body).get("Id")
            backend = self.servicediscovery_backend
            if any(s.namespace_id == namespace_id for s in backend.services.values()):
                raise _json_error("ResourceInUse", f"Namespace {namespace_id} has associated services; "
                                                   "delete them first.")
            return original_delete(self)

    def list_services(self):
        filters = json.loads(self.body or "{}").get("Filters") or []
        services = list(self.servicediscovery_backend.list_services())
        for flt in filters:
            if flt.get("Name") == "NAMESPACE_ID":
                values = set(flt.get("Values") or [])
                services = [s for s in services if s.namespace_id in values]
        return json.dumps({"Services": [s.to_json() for s in services]})

    R.delete_namespace = delete_namespace
    R.list_services = list_services


