"""The faithful endpoint: elbv2 (see __init__.py)."""
from .core import LOCK, WORLD, _backend, checked, patcher


# ----------------------------------------------------------------------------------------------- ELBv2

def forwarded_target_groups(account, region):
    """ARNs of the target groups that some listener (default action or rule) forwards to."""
    elbv2 = _backend("elbv2", account, region)
    arns = set()
    for balancer in elbv2.load_balancers.values():
        for listener in balancer.listeners.values():
            actions = list(listener.default_actions or [])
            for rule in listener.rules.values():
                actions += list(rule.actions or [])
            for action in actions:
                arns |= set(elbv2._get_target_group_arns_from(action_data=getattr(action, "data", None) or {}))
    return arns


def targets_of(account, region, target_group_arn):
    """[(task, port, state tuple)] of the service tasks registered in the target group."""
    out = []
    for key, fx in WORLD.services.items():
        if key[:2] != (account, region):
            continue
        for task in fx.tasks:
            state = task.target_state()
            if state is None:
                continue
            for lb in task.load_balancers:
                if lb.get("targetGroupArn") == target_group_arn:
                    out.append((task, lb.get("containerPort"), state))
    return out


@patcher
def patch_elbv2():
    from moto.elbv2.responses import ELBV2Response as R

    original = R.describe_target_health

    def describe_target_health(self):
        with LOCK:
            arn = self._get_param("TargetGroupArn")
            ours = targets_of(self.current_account, self.region, arn)
            if not ours:
                return original(self)
            self.elbv2_backend.describe_target_groups(None, [arn], [])  # TargetGroupNotFound like AWS
            wanted = {(t["Id"], t.get("Port")) for t in self._get_param("Targets", [])}
            out = []
            for task, port, (state, reason, description) in ours:
                if wanted and (task.ip, port) not in wanted and (task.ip, None) not in wanted:
                    continue
                health = {"State": state}
                if reason:
                    health["Reason"] = reason
                    health["Description"] = description
                out.append({"Target": {"Id": task.ip, "Port": port, "AvailabilityZone": task.az},
                            "HealthCheckPort": str(port), "TargetHealth": health})
            return checked("elbv2", "DescribeTargetHealth", {"TargetHealthDescriptions": out})

    R.describe_target_health = describe_target_health


