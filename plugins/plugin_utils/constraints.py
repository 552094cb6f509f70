# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What AWS accepts for every variable of every role, checked before the first write, every problem at once.

``TABLE`` maps each variable path (``bandup_services[].alb.priority``, ``alb_health_check_interval``) to the rule
of the API member(s) it ends up in: bounds, lengths, patterns and enums from the botocore service model where the
model has them (``model=`` names the member; tests/unit/plugins/module_utils/test_constraints.py checks each against
botocore's model), AWS's documented limits where it does not (``source=``), or an explicit "no constraint, because".
``problems()`` checks the types of the roles' argument specs exactly (``0``, ``""`` and ``[]`` are values; only
``None`` or omission means "the default"), then the table, then the rules that tie variables together, and returns
every problem found, each naming the variable's path and the allowed range or form.

Pure Python, no AWS call: the C(bandup.ecs.validation) lookup runs it on the controller.
"""

from __future__ import annotations

import ipaddress
import json
import re
import unicodedata
from collections.abc import Mapping

from ansible_collections.bandup.ecs.plugins.module_utils._ecs import canary
from ansible_collections.bandup.ecs.plugins.module_utils.topology import FARGATE_SIZES, TopologyError, _order
from ansible_collections.bandup.ecs.plugins.module_utils.topology import rule_priorities

BOOLEANS_TRUE = {"y", "yes", "on", "1", "true", "t"}
BOOLEANS_FALSE = {"n", "no", "off", "0", "false", "f"}
INT_RE = re.compile(r"^-?[0-9]+$")
# The collection puts up to 10 tags of its own on a resource (Name, bandup:*); AWS allows 50 per resource.
OWN_TAGS_MAX = 10
TAGS_MAX = 50 - OWN_TAGS_MAX
TAG_EXTRA_CHARS = set("_.:/=+-@")
RESERVED_TAG_PREFIXES = ("aws:", "bandup:")
# The collection names resources with the Name tag: a user's Name would be overridden without a word.
RESERVED_TAG_KEYS = ("Name",)


class _Invalid:
    """The converted value of a variable that failed its own check: the rules between variables skip it."""

    def __repr__(self):
        return "INVALID"


INVALID = _Invalid()


class _Unchecked(Exception):
    """A rule between variables read a value that failed its own check (its problem is reported already)."""


class Checked(Mapping):
    """A read-only view of converted values for the rules between variables: reading a value that failed its own
    check (INVALID) raises _Unchecked, and ``_guarded`` skips that rule. So no rule ever computes with a value of the
    wrong type, whatever the inventory holds: a type error ends in the message of the variable's own check, never in
    a crash of the validation. Nested mappings are views too; list entries that failed stay INVALID (rules test
    ``isinstance(entry, Mapping)``)."""

    def __init__(self, data):
        self._data = data

    def __getitem__(self, key):
        value = self._data[key]
        if value is INVALID:
            raise _Unchecked(key)
        return _view(value)

    def __iter__(self):
        return iter(self._data)

    def __len__(self):
        return len(self._data)


def _view(value):
    if isinstance(value, Mapping) and not isinstance(value, Checked):
        return Checked(value)
    if isinstance(value, list):
        return [_view(item) for item in value]
    return value


def _guarded(rule, *args):
    """The problems ``rule(*args)`` finds, or none when it read a value that failed its own check."""
    try:
        return rule(*args)
    except _Unchecked:
        return []


class Rule:
    """A constraint on one variable. ``api``: the API members it feeds; ``model``: (service, operation, member path)
    of the botocore member whose bounds/pattern/enum the rule carries; ``source``: the documented limit otherwise."""

    form = "any value"

    def __init__(self, api=(), model=None, source=None, context=None):
        self.api = tuple(api)
        self.model = model
        self.source = source
        self.context = context or {}

    def check(self, value):
        """None when ``value`` is acceptable, else why not (the path is added by the caller)."""
        return None

    def cases(self):
        """(value, acceptable) pairs at and past each bound, for the generated catalogue."""
        return []

    def catalogue(self):
        """(value, acceptable, context) triples: cases() with the context that makes an acceptable value pass the
        rules between variables (e.g. a health check timeout of 120 needs an interval above it)."""
        return [(value, ok, self.context) for value, ok in self.cases()]


class NoConstraint(Rule):
    """Nothing AWS refuses beyond the argument spec's type (and choices); ``why`` says why."""

    def __init__(self, why, **kwargs):
        super().__init__(**kwargs)
        self.why = why
        self.form = "any value of its type"


class Range(Rule):
    def __init__(self, low, high, unit="", **kwargs):
        super().__init__(**kwargs)
        self.low, self.high = low, high
        self.form = f"an integer {low}-{high}{' ' + unit if unit else ''}"

    def check(self, value):
        if not self.low <= value <= self.high:
            return f"{value} is outside {self.low}-{self.high}"
        return None

    def cases(self):
        return [(self.low, True), (self.high, True), (self.low - 1, False), (self.high + 1, False)]


class Amount(Rule):
    """A number above ``low`` (exclusive) and at most ``high``, such as an alarm threshold."""

    def __init__(self, low, high, unit="", **kwargs):
        super().__init__(**kwargs)
        self.low, self.high = low, high
        self.form = f"a number above {low} and at most {high}{' ' + unit if unit else ''}"

    def check(self, value):
        if not self.low < value <= self.high:
            return f"{value} is not {self.form}"
        return None

    def cases(self):
        return [(self.high, True), (self.low, False), (self.high + 1, False)]


class AlarmPeriod(Rule):
    """A CloudWatch alarm period: 10, 30 or a multiple of 60 seconds, at most a day."""

    form = "10, 30 or a multiple of 60 seconds up to 86400"

    def check(self, value):
        if value in (10, 30) or (60 <= value <= 86400 and value % 60 == 0):
            return None
        return f"{value} is not {self.form}"

    def cases(self):
        return [(10, True), (60, True), (86400, True), (45, False), (0, False), (86460, False)]


class Memory(Range):
    """Task memory: the bounds of every Fargate size; the pair with cpu is a rule between variables."""

    def catalogue(self):
        return [(512, True, {"cpu": 256}), (122880, True, {"cpu": 16384}), (511, False, {}), (122881, False, {})]


class Choice(Rule):
    def __init__(self, values, **kwargs):
        super().__init__(**kwargs)
        self.values = list(values)
        self.form = "one of " + ", ".join(str(v) for v in self.values)

    def check(self, value):
        return None if value in self.values else f"{value!r} is not {self.form}"

    def cases(self):
        bad = "BOGUS" if isinstance(self.values[0], str) else max(self.values) + 1
        return [(self.values[0], True), (self.values[-1], True), (bad, False)]


class Cpu(Choice):
    """Task CPU units: the Fargate sizes; each is tried with its smallest memory."""

    def catalogue(self):
        return ([(cpu, True, {"memory": FARGATE_SIZES[cpu][0]}) for cpu in self.values]
                + [(300, False, {}), (0, False, {}), (32768, False, {})])


class Text(Rule):
    """A string of ``low``-``high`` characters matching ``pattern`` (described by ``what``)."""

    def __init__(self, low, high, pattern=None, what="", empty_ok=False, good="a", bad=None, **kwargs):
        super().__init__(**kwargs)
        self.low, self.high, self.empty_ok = low, high, empty_ok
        self.pattern = re.compile(pattern) if pattern else None
        self.good, self.bad = good, bad
        self.form = f"{low}-{high} characters" + (f", {what}" if what else "") + (", or empty" if empty_ok else "")

    def check(self, value):
        if value == "" and self.empty_ok:
            return None
        if not self.low <= len(value) <= self.high:
            return f"'{value}' is {len(value)} characters, must be {self.form}"
        if self.pattern and not self.pattern.match(value):
            return f"'{value}' must be {self.form}"
        return None

    def cases(self):
        out = [(self.good, True)]
        if self.high < 1000:
            long = (self.good * self.high)[:self.high]
            out += [(long, self.pattern is None or bool(self.pattern.match(long))), (long + self.good[-1], False)]
        if self.bad is not None:
            out.append((self.bad, False))
        if not self.empty_ok and self.low > 0:
            out.append(("", False))
        return out


class Cidr(Rule):
    """An IPv4 network in CIDR form (host bits zero) with a prefix length in ``low``-``high``."""

    def __init__(self, low=0, high=32, **kwargs):
        super().__init__(**kwargs)
        self.low, self.high = low, high
        self.form = f"an IPv4 CIDR block a.b.c.d/n with n {low}-{high} and no host bits set"

    def check(self, value):
        try:
            net = ipaddress.IPv4Network(value)
        except ValueError:
            return f"'{value}' is not {self.form}"
        if not self.low <= net.prefixlen <= self.high:
            return f"'{value}' has prefix /{net.prefixlen}, must be /{self.low} to /{self.high}"
        return None

    def cases(self):
        return [(f"10.0.0.0/{self.low}", True), (f"10.0.0.0/{self.high}", True),
                (f"10.0.0.0/{self.low - 1}" if self.low else "10.0.0.1/8", False),
                (f"10.0.0.0/{self.high + 1}" if self.high < 32 else "10.0.0.0/33", False), ("10.0.0.300/24", False)]


class CidrList(Rule):
    def __init__(self, cidr, low, high, **kwargs):
        super().__init__(**kwargs)
        self.cidr, self.low, self.high = cidr, low, high
        self.form = f"a list of {low}-{high} distinct CIDRs, each {cidr.form}"

    def check(self, value):
        if not self.low <= len(value) <= self.high:
            return f"{len(value)} entries, must be {self.form}"
        for idx, item in enumerate(value):
            why = self.cidr.check(item)
            if why:
                return f"[{idx}] {why}"
        if len(set(value)) != len(value):
            return f"{value} repeats a CIDR; must be {self.form}"
        return None


class Tags(Rule):
    """Tags on every resource: key 1-128 and value 0-256 characters (letters, digits, spaces, _ . : / = + - @),
    no reserved key prefix, at most TAGS_MAX (AWS allows 50 per resource; the collection's own take the rest)."""

    form = f"at most {TAGS_MAX} tags of key 1-128 and value 0-256 characters"

    def check(self, value):
        if len(value) > TAGS_MAX:
            return f"{len(value)} tags; must be {self.form}"
        for key, val in value.items():
            if not isinstance(key, str) or not 1 <= len(key) <= 128 or not _tag_chars(key):
                return f"key '{key}' must be 1-128 letters, digits, spaces or _ . : / = + - @"
            if key.lower().startswith(RESERVED_TAG_PREFIXES) or key in RESERVED_TAG_KEYS:
                return (f"key '{key}' is reserved: keys must not start with {' or '.join(RESERVED_TAG_PREFIXES)} "
                        f"nor be {', '.join(RESERVED_TAG_KEYS)} (AWS's and the collection's own tags)")
            if isinstance(val, bool) or not isinstance(val, (str, int, float)):
                return f".{key}: the value must be a string or a number (got {_kind(val)})"
            text = str(val)
            if len(text) > 256 or not _tag_chars(text):
                return f".{key}: the value must be 0-256 letters, digits, spaces or _ . : / = + - @"
        return None

    def cases(self):
        return [({"k" * 128: "v" * 256}, True), ({"team": "web", "cost-center": 42}, True), ({"k" * 129: "v"}, False),
                ({"team": "v" * 257}, False), ({"aws:team": "web"}, False), ({"bandup:standing": "active"}, False), ({"Name": "web"}, False),
                ({"team": "a,b"}, False), ({"team": ["a"]}, False), ({f"t{i}": "x" for i in range(TAGS_MAX + 1)}, False)]


def _tag_chars(text):
    return all(c in TAG_EXTRA_CHARS or unicodedata.category(c)[0] in "LNZ" for c in text)


# An image reference, the grammar of distribution/reference: [domain[:port]/]path[:tag][@digest].
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?"
IMAGE_RE = re.compile(rf"^(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*(?::[\w][\w.-]{{0,127}})?"
                      r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$")


class ImageRef(Rule):
    form = ("an image reference [registry[:port]/]repository[:tag][@sha256:digest] of at most 255 characters "
            "(lowercase repository path)")

    def check(self, value):
        if len(value) > 255 or not IMAGE_RE.match(value):
            return f"'{value}' is not {self.form}"
        return None

    def cases(self):
        return [("public.ecr.aws/nginx/nginx:1.27", True),
                ("123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:" + "a" * 64, True),
                ("Nginx:latest", False), ("nginx:", False), ("nginx latest", False), ("", False)]


class EnvVars(Rule):
    form = "a mapping of names (letters, digits, _; not starting with a digit) to strings, numbers or booleans"
    NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

    def check(self, value):
        for key, val in value.items():
            if not isinstance(key, str) or not self.NAME_RE.match(key):
                return f"'{key}' is not a variable name; must be {self.form}"
            if not isinstance(val, (str, int, float, bool)):
                return f".{key}: {_kind(val)} is not a scalar; must be {self.form} (quote structured values as a string)"
        return None

    def cases(self):
        return [({"A": "1", "B": 2, "C": True}, True), ({"A": {"b": 1}}, False), ({"A": [1]}, False),
                ({"A": None}, False), ({"1A": "x"}, False), ({"A-B": "x"}, False)]


SECRET_ARN_RE = re.compile(r"^arn:aws[a-z-]*:(?:ssm:[a-z0-9-]+:\d{12}:parameter/\S+"
                           r"|secretsmanager:[a-z0-9-]+:\d{12}:secret:\S+)$")


class Secrets(Rule):
    form = ("a mapping of variable names to SSM parameter ARNs (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME) or "
            "Secrets Manager secret ARNs (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME)")

    def check(self, value):
        for key, arn in value.items():
            if not isinstance(key, str) or not EnvVars.NAME_RE.match(key):
                return f"'{key}' is not a variable name; must be {self.form}"
            if not isinstance(arn, str) or not SECRET_ARN_RE.match(arn):
                return f".{key}: '{arn}' must be an SSM parameter or Secrets Manager secret ARN"
        return None

    def cases(self):
        return [({"DB": "arn:aws:ssm:us-east-1:123456789012:parameter/db"}, True),
                ({"DB": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"}, True),
                ({"DB": "hunter2"}, False), ({"DB": "arn:aws:s3:::bucket/key"}, False)]


class PathPatterns(Rule):
    """Listener rule path patterns: each 1-128 characters of A-Z a-z 0-9 _ - . $ / ~ " ' @ : + & * ?; at most 5
    values in the one path-pattern condition of the service's rule (ALB quotas: 5 condition values per rule)."""

    PATTERN_RE = re.compile(r"""^[A-Za-z0-9_\-.$/~"'@:+&*?]{1,128}$""")
    form = ("at most 5 path patterns, each 1-128 characters of A-Z a-z 0-9 _ - . $ / ~ \" ' @ : + & * ? "
            "(* and ? are wildcards)")

    def check(self, value):
        if len(value) > 5:
            return f"{len(value)} patterns; must be {self.form}"
        for idx, pattern in enumerate(value):
            if not isinstance(pattern, str) or not self.PATTERN_RE.match(pattern):
                return f"[{idx}] '{pattern}' must be 1-128 characters of A-Z a-z 0-9 _ - . $ / ~ \" ' @ : + & * ?"
        if len(set(value)) != len(value):
            return f"{value} repeats a pattern"
        return None

    def cases(self):
        return [(["/" + "a" * 127], True), (["/api/*", "/v?/x"], True), (["/" + "a" * 128], False),
                (["/api v1/*"], False), (["/a", "/b", "/c", "/d", "/e", "/f"], False), ([""], False)]


class Matcher(Rule):
    """ALB HTTP matcher: a code, codes separated by commas, or a range, each 200-499."""

    form = "HTTP codes 200-499: one (200), several (200,202) or a range (200-299)"
    PART_RE = re.compile(r"^([0-9]{3})(?:-([0-9]{3}))?$")

    def check(self, value):
        value = str(value)
        parts = value.split(",")
        for part in parts:
            match = self.PART_RE.match(part.strip())
            if not match:
                return f"'{value}' must be {self.form}"
            low, high = int(match.group(1)), int(match.group(2) or match.group(1))
            if not 200 <= low <= high <= 499:
                return f"'{value}' must be {self.form}"
        if len(parts) > 1 and any("-" in p for p in parts):
            return f"'{value}' must be {self.form} (a list or a range, not both)"
        return None

    def cases(self):
        return [("200", True), ("200-299", True), ("200,202,499", True), ("199", False), ("500", False),
                ("200-500", False), ("OK", False), ("299-200", False)]


class HealthCommand(Rule):
    form = "a list [CMD, executable, args...] or [CMD-SHELL, 'command'] of at least two strings"

    def check(self, value):
        if len(value) < 2 or value[0] not in ("CMD", "CMD-SHELL") or not all(isinstance(v, str) and v for v in value):
            return f"{value} must be {self.form}"
        return None

    def cases(self):
        return [(["CMD-SHELL", "curl -f http://localhost/ || exit 1"], True), (["CMD", "/bin/true"], True),
                ([], False), (["CMD-SHELL"], False), (["curl", "-f", "http://localhost/"], False)]


class ArnOrEmpty(Rule):
    def __init__(self, service, resource, **kwargs):
        super().__init__(**kwargs)
        self.re = re.compile(rf"^arn:aws[a-z-]*:{service}:[a-z0-9-]+:\d{{12}}:{resource}$")
        self.form = f"an ARN arn:aws:{service}:REGION:ACCOUNT:{resource.replace(chr(92), '').split('[')[0]}..., or empty"
        self.service = service

    def check(self, value):
        return None if value == "" or self.re.match(value) else f"'{value}' must be {self.form}"

    def cases(self):
        return [("", True), ("not-an-arn", False), ("arn:aws:iam::123456789012:role/x", False)]


class AccountIds(Rule):
    form = "a list of 12-digit AWS account ids"

    def check(self, value):
        for idx, item in enumerate(value):
            if not re.match(r"^\d{12}$", str(item)):
                return f"[{idx}] '{item}' is not a 12-digit AWS account id"
        return None

    def cases(self):
        return [(["123456789012"], True), (["12345"], False), (["arn:aws:iam::123456789012:root"], False)]


class IdMap(Rule):
    """Availability zone to a resource id (subnet ids of an adopted VPC)."""

    def __init__(self, prefix, **kwargs):
        super().__init__(**kwargs)
        self.prefix = prefix
        self.form = f"a mapping of availability zone names to {prefix}-<8 or 17 hex digits> ids"

    def check(self, value):
        for key, item in value.items():
            if not isinstance(item, str) or not re.match(rf"^{self.prefix}-(?:[0-9a-f]{{8}}|[0-9a-f]{{17}})$", item):
                return f".{key}: '{item}' must be {self.form}"
        return None

    def cases(self):
        return [({}, True), ({"us-east-1a": f"{self.prefix}-0123456789abcdef0"}, True), ({"us-east-1a": "nope"}, False)]


class JsonSize(Rule):
    """A policy document whose JSON is at most ``high`` characters."""

    def __init__(self, high, per_key=False, **kwargs):
        super().__init__(**kwargs)
        self.high, self.per_key = high, per_key
        self.form = (f"{'a mapping of service names to ' if per_key else ''}an IAM policy document (a mapping with a "
                     f"Statement) of at most {high} characters as JSON")

    def check(self, value):
        import json

        docs = value.items() if self.per_key else [("", value)]
        for key, doc in docs:
            where = f".{key}: " if key else ""
            if not isinstance(doc, Mapping):
                return f"{where}must be {self.form} (got {_kind(doc)})"
            if not doc:  # {}: no policy (the roles' default; they send none)
                continue
            statement = doc.get("Statement")
            if not statement or not isinstance(statement, (list, Mapping)):
                return (f"{where}the document has no Statement; must be {self.form} with at least one statement "
                        "(IAM policy grammar: Statement is required)")
            size = len(json.dumps(doc, separators=(",", ":"), default=str))
            if size > self.high:
                return f"{where}the document is {size} characters as JSON, must be {self.form}"
        return None

    def cases(self):
        doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
        wrap = (lambda d: {"backend": d}) if self.per_key else (lambda d: d)
        return [(wrap(doc), True), (wrap({}), True), (wrap({"Version": "2012-10-17"}), False),
                (wrap({"Version": "2012-10-17", "Statement": []}), False), (wrap("not a document"), False),
                (wrap(dict(doc, Sid="x" * self.high)), False)]


class Providers(Rule):
    form = "FARGATE, optionally with FARGATE_SPOT, each once (the active services run on FARGATE)"

    def check(self, value):
        if "FARGATE" not in value or len(set(value)) != len(value) or not set(value) <= {"FARGATE", "FARGATE_SPOT"}:
            return f"{value} must be {self.form}"
        return None

    def cases(self):
        return [(["FARGATE"], True), (["FARGATE_SPOT", "FARGATE"], True), ([], False), (["FARGATE_SPOT"], False),
                (["FARGATE", "EC2"], False), (["FARGATE", "FARGATE"], False)]


class Scalars(Rule):
    form = "a mapping of names to strings or numbers"

    def check(self, value):
        for key, val in value.items():
            if isinstance(val, bool) or not isinstance(val, (str, int, float)):
                return f".{key}: must be a string or a number (got {_kind(val)})"
        return None

    def cases(self):
        return [({"VERSION": "1.2"}, True), ({"VERSION": {"a": 1}}, False)]


class Adopt(Rule):
    """bandup_adopt_existing: resource names, or kinds (plugin_utils/ownership.py KINDS)."""

    NAME_RE = re.compile(r"^[A-Za-z0-9/_.+=,@:-]{1,512}$")

    def __init__(self, kinds, **kwargs):
        super().__init__(**kwargs)
        self.kinds = tuple(kinds)
        self.form = ("a list of resource names (as a refusal names them) or kinds (" + ", ".join(self.kinds) + ")")

    def check(self, value):
        for idx, item in enumerate(value):
            if not self.NAME_RE.match(item):
                return f"[{idx}] '{item}' must be a resource name or one of {', '.join(self.kinds)}"
        return None

    def cases(self):
        return [([], True), (["load_balancer", "ielts-bandup-local-backend", "/ecs/bandup-local/backend"], True),
                (["my load balancer"], False), ([""], False)]


class CanarySteps(Rule):
    """service_canary_steps: the percent of traffic on the standby cell at each step (module_utils/_ecs/canary.py)."""

    form = "a non-empty list of increasing percentages, each 1-99"

    def check(self, value):
        return canary.steps_problem(value)

    def cases(self):
        return [([10, 50], True), ([1, 99], True), ([], False), ([50, 10], False), ([10, 100], False), ([0], False)]


class AlarmNames(Rule):
    """CloudWatch alarm names: 1-255 characters, no control characters, each once."""

    form = "a list of CloudWatch alarm names (1-255 characters, no control characters), each once"

    def check(self, value):
        for idx, name in enumerate(value):
            if not isinstance(name, str) or not 1 <= len(name) <= 255 or any(ord(c) < 32 for c in name):
                return f"[{idx}]: {name!r} is not a CloudWatch alarm name (1-255 characters, no control characters)"
        if len(set(value)) != len(value):
            return f"{value} names an alarm twice"
        return None

    def cases(self):
        return [(["api-errors"], True), ([], True), ([""], False), (["a" * 256], False), (["x", "x"], False)]


class OverrideCommand(Rule):
    """A container command override: at least one non-empty string, the override within RunTask's 8192 characters."""

    form = "a list of at least one non-empty string, at most 8192 characters as a JSON container override"
    LIMIT = 8192

    def check(self, value):
        if not value or not all(isinstance(v, str) and v for v in value):
            return f"{value} must be {self.form}"
        size = len(json.dumps({"containerOverrides": [{"name": "x" * 255, "command": value}]}))
        if size > self.LIMIT:
            return f"is {size} characters as an override (with a 255-character container name), more than {self.LIMIT}"
        return None

    def cases(self):
        return [(["./migrate", "up"], True), ([], False), ([""], False), (["x" * 8200], False)]


NAME_PATTERN = r"^[a-z][a-z0-9-]*[a-z0-9]$"
SHELL_SAFE_PATH = r"^/[A-Za-z0-9._~/%:@+=,?-]*$"
TG = ("elbv2", "CreateTargetGroup")
FARGATE_DOC = "ECS developer guide, Fargate task CPU and memory"
SC_DOC = "ECS API reference, ServiceConnectService"

# The constraint table: every variable of every role's argument spec, and every field of a bandup_services entry.
TABLE = {
    # the shared variables (roles/bandup)
    "bandup_name": Text(2, 20, NAME_PATTERN, "lowercase letters, digits and hyphens, starting with a letter", good="bandup",
                        bad="Bandup_Prod", api=["ecs.CreateCluster.clusterName", "elbv2.CreateLoadBalancer.Name",
                                                "servicediscovery.CreateHttpNamespace.Name"],
                        source="target group names are at most 32 characters: name + '-' + service + '-' + AZ suffix"),
    "bandup_region": Text(9, 25, r"^[a-z]{2}(?:-[a-z]+)+-\d+$", "a region name like us-east-1", good="eu-west-1",
                          bad="Europe", api=["client region"],
                          source="AWS regions and zones; one of the regions of botocore's partitions data",
                          context={"bandup_active_az": "eu-west-1a", "bandup_standby_az": "eu-west-1b"}),
    "bandup_active_az": Text(10, 30, r"^[a-z]{2}(?:-[a-z]+)+-\d+(?:-[a-z]+-\d+)?[a-z]$",
                             "an availability zone name like us-east-1a", good="us-east-1a", bad="zone-a",
                             api=["ec2.CreateSubnet.AvailabilityZone"], source="AWS regions and zones"),
    "bandup_standby_az": Text(10, 30, r"^[a-z]{2}(?:-[a-z]+)+-\d+(?:-[a-z]+-\d+)?[a-z]$",
                              "an availability zone name like us-east-1b", good="us-east-1b", bad="zone-b",
                              api=["ec2.CreateSubnet.AvailabilityZone"], source="AWS regions and zones"),
    "bandup_ecr_prefix": Text(0, 200, r"^[a-z0-9._/-]*$", "lowercase letters, digits and . _ / -", good="ielts-",
                              bad="IELTS_", api=["ecr.CreateRepository.repositoryName"],
                              source="prefix + service name must match the ECR model's repositoryName pattern"),
    "bandup_refresh_topology": NoConstraint("an internal switch of the playbooks; reaches no API"),
    "bandup_expect_local_endpoint": NoConstraint("whether the inventory expects a local endpoint; reaches no API"),
    "bandup_tags": Tags(api=["ecs/elbv2/ecr/ec2/iam/logs/servicediscovery Tags"], model=("ecs", "CreateCluster", ["tags"]),
                        source="AWS tagging rules: key 1-128, value 0-256, aws: reserved, 50 tags per resource"),
    "bandup_adopt_existing": Adopt(("cluster", "namespace", "load_balancer", "target_group", "ecr_repository", "log_group",
                                    "iam_role"), source="the names this collection derives (module_utils/topology.py)"),
    "bandup_services": NoConstraint("a list of entries, each field below has its own rule; at least one entry and "
                                    "unique names are checked by the topology"),
    "bandup_services[].name": Text(2, 20, NAME_PATTERN, "lowercase letters, digits and hyphens, starting with a letter",
                                   good="web", bad="Front_End", context={"bandup_name": "bu"},
                                   api=["ecs.CreateService.serviceName", "elbv2.CreateTargetGroup.Name"],
                                   source="target group names are at most 32 characters"),
    "bandup_services[].port": Range(1, 65535, api=["ecs.PortMapping.containerPort", "elbv2.CreateTargetGroup.Port"],
                                    model=TG + (["Port"],)),
    "bandup_services[].health_path": Text(1, 1024, SHELL_SAFE_PATH,
                                          "starting with '/', of letters, digits and . _ ~ / % : @ + = , ? -",
                                          good="/health", bad="health",
                                          api=["elbv2.CreateTargetGroup.HealthCheckPath", "ecs HealthCheck.command"],
                                          model=TG + (["HealthCheckPath"],),
                                          source="it is also a word of the container's CMD-SHELL health check: no "
                                                 "spaces or shell characters"),
    "bandup_services[].cpu": Cpu(sorted(FARGATE_SIZES), api=["ecs.RegisterTaskDefinition.cpu"], source=FARGATE_DOC),
    "bandup_services[].memory": Memory(512, 122880, "MiB", api=["ecs.RegisterTaskDefinition.memory"],
                                       source=FARGATE_DOC),
    "bandup_services[].active_count": Range(1, 5000, api=["ecs.CreateService.desiredCount"],
                                            source="ECS quota: 5000 tasks per service; the active AZ needs one",
                                            context={"autoscaling": {"enabled": False}}),
    "bandup_services[].standby_count": Range(0, 5000, api=["ecs.CreateService.desiredCount"],
                                             source="ECS quota: 5000 tasks per service; at most active_count",
                                             context={"active_count": 5000, "autoscaling": {"enabled": False}}),
    "bandup_services[].image": ImageRef(api=["ecs.ContainerDefinition.image"], context={"build": None},
                                        source="ECS ContainerDefinition.image: up to 255 characters; the reference grammar"),
    "bandup_services[].build": NoConstraint("a local build; its fields below are checked"),
    "bandup_services[].build.context": NoConstraint("a local directory; the topology checks that it exists"),
    "bandup_services[].build.dockerfile": NoConstraint("a local file; the topology checks that it exists"),
    "bandup_services[].build.args": Scalars(source="build arguments are strings"),
    "bandup_services[].build.target": Text(1, 128, r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", "a build stage name", good="prod",
                                           bad="my stage", source="Dockerfile stage names"),
    "bandup_services[].environment": EnvVars(api=["ecs.ContainerDefinition.environment"],
                                             source="ECS KeyValuePair values are strings"),
    "bandup_services[].secrets": Secrets(api=["ecs.ContainerDefinition.secrets.valueFrom"],
                                         source="ECS specifying sensitive data: full ARNs of SSM parameters or secrets"),
    "bandup_services[].health_check": NoConstraint("its fields below are checked"),
    "bandup_services[].health_check.command": HealthCommand(api=["ecs.HealthCheck.command"],
                                                            source="ECS HealthCheck: CMD or CMD-SHELL first"),
    "bandup_services[].health_check.interval": Range(5, 300, "seconds", api=["ecs.HealthCheck.interval"],
                                                     source="ECS HealthCheck: 5-300"),
    "bandup_services[].health_check.timeout": Range(2, 60, "seconds", api=["ecs.HealthCheck.timeout"],
                                                    source="ECS HealthCheck: 2-60"),
    "bandup_services[].health_check.retries": Range(1, 10, api=["ecs.HealthCheck.retries"],
                                                    source="ECS HealthCheck: 1-10"),
    "bandup_services[].health_check.start_period": Range(0, 300, "seconds", api=["ecs.HealthCheck.startPeriod"],
                                                         source="ECS HealthCheck: 0-300"),
    "bandup_services[].alarms": AlarmNames(api=["ecs.DeploymentAlarms.alarmNames", "cloudwatch.PutMetricAlarm.AlarmName"],
                                           source="CloudWatch alarm names: 1-255 characters"),
    "bandup_services[].pre_deploy": NoConstraint("its fields below are checked"),
    "bandup_services[].pre_deploy.command": OverrideCommand(
        api=["ecs.ContainerOverride.command"],
        source="ECS RunTask overrides: 8192 characters at most, the JSON formatting included"),
    "bandup_services[].pre_deploy.timeout": Range(1, 86400, "seconds",
                                                  source="the collection's limit (a day); Fargate sets none"),
    "bandup_services[].depends_on": NoConstraint("names of other entries; the topology refuses unknown names and cycles"),
    "bandup_services[].service_connect": NoConstraint("its fields below are checked"),
    "bandup_services[].service_connect.server": NoConstraint("a boolean"),
    "bandup_services[].service_connect.discovery_name": Text(1, 64, r"^[a-z0-9_][a-z0-9_-]*$",
                                                             "lowercase letters, digits, _ or -, not starting with -",
                                                             good="api", bad="-api", source=SC_DOC,
                                                             api=["ecs.ServiceConnectService.discoveryName"],
                                                             context={"service_connect": {"server": True}}),
    "bandup_services[].service_connect.dns_name": Text(1, 127, r"^[a-z0-9_][a-z0-9_.-]*$",
                                                       "lowercase letters, digits, _ - or ., not starting with -",
                                                       good="api", bad="-api", source=SC_DOC,
                                                       api=["ecs.ServiceConnectClientAlias.dnsName"],
                                                       context={"service_connect": {"server": True}}),
    "bandup_services[].service_connect.client_alias_port": Range(
        1, 65535, api=["ecs.ServiceConnectClientAlias.port"], source="a TCP port (the model allows 0, no port does)",
        model=("ecs", "CreateService", ["serviceConnectConfiguration", "services", "clientAliases", "port"]),
        context={"service_connect": {"server": True}}),
    "bandup_services[].alb": NoConstraint("its fields below are checked"),
    "bandup_services[].alb.enabled": NoConstraint("a boolean"),
    "bandup_services[].alb.default_route": NoConstraint("a boolean; at most one service has it (the topology)"),
    "bandup_services[].alb.path_patterns": PathPatterns(api=["elbv2.CreateRule.Conditions.PathPatternConfig.Values"],
                                                        source="ELB listener rule conditions: path pattern characters, "
                                                               "128 characters, 5 condition values per rule"),
    "bandup_services[].alb.priority": Range(1, 50000, api=["elbv2.CreateRule.Priority"],
                                            model=("elbv2", "CreateRule", ["Priority"])),
    "bandup_services[].standby_capacity_provider": Choice(["FARGATE", "FARGATE_SPOT"],
                                                          api=["ecs.CapacityProviderStrategyItem.capacityProvider"],
                                                          source="the Fargate capacity providers"),
    "bandup_services[].autoscaling": NoConstraint("its fields below are checked"),
    "bandup_services[].autoscaling.enabled": NoConstraint("a boolean"),
    "bandup_services[].autoscaling.min_count": Range(0, 5000, api=["application-autoscaling.MinCapacity"],
                                                     source="ECS quota: 5000 tasks per service",
                                                     context={"active_count": 5000, "autoscaling": {"max_count": 5000}}),
    "bandup_services[].autoscaling.max_count": Range(1, 5000, api=["application-autoscaling.MaxCapacity"],
                                                     source="ECS quota: 5000 tasks per service",
                                                     context={"active_count": 1}),
    "bandup_services[].autoscaling.cpu_target": Range(1, 100, "percent", api=["TargetTrackingScalingPolicy.TargetValue"],
                                                      source="ECSServiceAverageCPUUtilization is a percentage"),
    "bandup_services[].autoscaling.memory_target": Range(1, 100, "percent",
                                                         api=["TargetTrackingScalingPolicy.TargetValue"],
                                                         source="ECSServiceAverageMemoryUtilization is a percentage"),
    "bandup_services[].autoscaling.requests_per_target": Range(
        1, 1000000, api=["TargetTrackingScalingPolicy.TargetValue"],
        source="ALBRequestCountPerTarget: requests per target per minute, positive; the collection's limit 1000000"),
    # network
    "network_vpc_id": Text(12, 21, r"^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$", "vpc- and 8 or 17 hex digits", empty_ok=True,
                           good="vpc-0123456789abcdef0", bad="my-vpc", api=["ec2.DescribeVpcs.VpcIds"],
                           source="EC2 resource ids"),
    "network_public_subnet_ids": IdMap("subnet", api=["elbv2.CreateLoadBalancer.Subnets"], source="EC2 resource ids"),
    "network_private_subnet_ids": IdMap("subnet", api=["ecs.AwsVpcConfiguration.subnets"], source="EC2 resource ids"),
    "network_vpc_cidr": Cidr(16, 28, api=["ec2.CreateVpc.CidrBlock"], source="VPC CIDR blocks: /16 to /28",
                             context={"network_vpc_id": "vpc-0123456789abcdef0"}),
    "network_public_subnet_cidrs": CidrList(Cidr(16, 28), 2, 2, api=["ec2.CreateSubnet.CidrBlock"],
                                            source="subnet CIDR blocks: /16 to /28, one per AZ"),
    "network_private_subnet_cidrs": CidrList(Cidr(16, 28), 2, 2, api=["ec2.CreateSubnet.CidrBlock"],
                                             source="subnet CIDR blocks: /16 to /28, one per AZ"),
    "network_nat_gateways": NoConstraint("a boolean"),
    "network_alb_ingress_cidrs": CidrList(Cidr(0, 32), 0, 29, api=["ec2.AuthorizeSecurityGroupIngress.CidrIp"],
                                          source="VPC quota: 60 inbound rules per security group, two ports per CIDR"),
    # alb
    "alb_zonal_shift": NoConstraint("a boolean (the argument spec checks the type), sent as the load balancer "
                                    "attribute zonal_shift.config.enabled true or false"),
    "alb_deregistration_delay": Range(0, 3600, "seconds",
                                      api=["elbv2 target group attribute deregistration_delay.timeout_seconds"],
                                      source="ELB target group attributes: 0-3600"),
    "alb_health_check_interval": Range(5, 300, "seconds", api=["elbv2.CreateTargetGroup.HealthCheckIntervalSeconds"],
                                       context={"alb_health_check_timeout": 2},
                                       model=TG + (["HealthCheckIntervalSeconds"],)),
    "alb_health_check_timeout": Range(2, 120, "seconds", api=["elbv2.CreateTargetGroup.HealthCheckTimeoutSeconds"],
                                      model=TG + (["HealthCheckTimeoutSeconds"],),
                                      context={"alb_health_check_interval": 300}),
    "alb_healthy_threshold": Range(2, 10, api=["elbv2.CreateTargetGroup.HealthyThresholdCount"],
                                   model=TG + (["HealthyThresholdCount"],)),
    "alb_unhealthy_threshold": Range(2, 10, api=["elbv2.CreateTargetGroup.UnhealthyThresholdCount"],
                                     model=TG + (["UnhealthyThresholdCount"],)),
    "alb_health_check_matcher": Matcher(api=["elbv2.CreateTargetGroup.Matcher.HttpCode"],
                                        source="ELB target group health checks: HTTP codes 200-499"),
    "alb_certificate_arn": ArnOrEmpty("acm", r"certificate/[0-9a-f-]+", api=["elbv2.CreateListener.Certificates"],
                                      source="ACM certificate ARNs"),
    "alb_ssl_policy": Text(1, 128, r"^ELBSecurityPolicy-[A-Za-z0-9-]+$", "an ELB security policy name",
                           empty_ok=True, good="ELBSecurityPolicy-TLS13-1-2-2021-06", bad="TLS1.3",
                           api=["elbv2.CreateListener.SslPolicy"], source="ELB security policies",
                           context={"alb_certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/0a1b"}),
    "alb_alarms": NoConstraint("a boolean: the deployment alarms of the cells' target groups are managed"),
    "alb_alarm_5xx_rate_percent": Amount(0, 100, "percent", api=["cloudwatch.PutMetricAlarm.Threshold"],
                                         source="a percentage of requests (the metric math of the 5xx rate alarm)"),
    "alb_alarm_p95_seconds": Amount(0, 3600, "seconds", api=["cloudwatch.PutMetricAlarm.Threshold"],
                                    source="TargetResponseTime is in seconds; the collection's limit one hour"),
    "alb_alarm_period": AlarmPeriod(api=["cloudwatch.PutMetricAlarm.Period"], context={"alb_alarm_evaluation_periods": 1},
                                    source="CloudWatch PutMetricAlarm: Period 10, 30 or a multiple of 60"),
    "alb_alarm_evaluation_periods": Range(1, 1440, api=["cloudwatch.PutMetricAlarm.EvaluationPeriods"],
                                          source="CloudWatch PutMetricAlarm: EvaluationPeriods x Period at most one "
                                                 "day (86400 s)"),
    # ecr
    "ecr_scan_on_push": NoConstraint("a boolean"),
    "ecr_image_tag_mutability": Choice(["MUTABLE", "IMMUTABLE"], api=["ecr.CreateRepository.imageTagMutability"],
                                       model=("ecr", "CreateRepository", ["imageTagMutability"])),
    "ecr_encryption_type": Choice(["AES256", "KMS"], api=["ecr.CreateRepository.encryptionConfiguration.encryptionType"],
                                  model=("ecr", "CreateRepository", ["encryptionConfiguration", "encryptionType"])),
    "ecr_kms_key": Text(1, 2048, r"^(?:arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key|alias)/\S+|alias/\S+|[0-9a-f-]{36})$",
                        "a KMS key ARN, key id or alias", empty_ok=True, good="alias/ecr", bad="my key",
                        api=["ecr.CreateRepository.encryptionConfiguration.kmsKey"],
                        model=("ecr", "CreateRepository", ["encryptionConfiguration", "kmsKey"]),
                        context={"ecr_encryption_type": "KMS"}),
    "ecr_keep_tagged_images": Range(1, 10000, api=["ECR lifecycle policy selection.countNumber"],
                                    source="ECR lifecycle policies: countNumber at least 1; the collection's limit 10000"),
    "ecr_expire_untagged_days": Range(1, 3650, "days", api=["ECR lifecycle policy selection.countNumber"],
                                      source="ECR lifecycle policies: countNumber at least 1; the collection's limit ten years"),
    "ecr_pull_account_ids": AccountIds(api=["ecr.SetRepositoryPolicy.policyText Principal"], source="AWS account ids"),
    "ecr_repository_policy": JsonSize(10240, api=["ecr.SetRepositoryPolicy.policyText"],
                                      model=("ecr", "SetRepositoryPolicy", ["policyText"])),
    # image
    "image_builder": NoConstraint("a local program (choices in the argument spec)"),
    "image_registry": NoConstraint("a registry host name; the registry itself answers (its default is computed)"),
    "image_registry_tls_verify": NoConstraint("a boolean"),
    "image_registry_insecure_http": NoConstraint("a boolean"),
    "image_storage_driver": NoConstraint("a local buildah/podman setting; they check it"),
    "image_isolation": Choice(["", "chroot", "oci", "rootless"], source="buildah --isolation"),
    "image_tag_git_sha": NoConstraint("a boolean"),
    "image_parallel": Range(1, 16, source="local builds at once; the collection's limit"),
    "image_docker_host": NoConstraint("a local Docker API address; community.docker's modules check it"),
    "image_docker_nocache": NoConstraint("a boolean"),
    "image_platform": Choice(["", "linux/amd64", "linux/arm64"], context={"task_definition_cpu_architecture": "ARM64"},
                             source="the Fargate CPU architectures (X86_64, ARM64) as OCI platforms; empty: the "
                                    "builder's default"),
    # cluster
    "cluster_capacity_providers": Providers(api=["ecs.CreateCluster.capacityProviders"],
                                            source="the Fargate providers; active services run on FARGATE"),
    "cluster_default_capacity_provider_strategy": NoConstraint("its fields below are checked; providers must be in "
                                                               "cluster_capacity_providers"),
    "cluster_default_capacity_provider_strategy[].capacity_provider": Choice(
        ["FARGATE", "FARGATE_SPOT"], api=["ecs.CapacityProviderStrategyItem.capacityProvider"],
        source="the Fargate capacity providers"),
    "cluster_default_capacity_provider_strategy[].weight": Range(
        0, 1000, api=["ecs.CapacityProviderStrategyItem.weight"],
        model=("ecs", "CreateCluster", ["defaultCapacityProviderStrategy", "weight"])),
    "cluster_default_capacity_provider_strategy[].base": Range(
        0, 100000, api=["ecs.CapacityProviderStrategyItem.base"],
        model=("ecs", "CreateCluster", ["defaultCapacityProviderStrategy", "base"])),
    "cluster_container_insights": Choice(["enhanced", "enabled", "disabled"], api=["ecs.ClusterSetting.value"],
                                         source="ECS cluster settings: containerInsights"),
    # task_definition
    "task_definition_log_retention_days": Choice(
        [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653],
        api=["logs.PutRetentionPolicy.retentionInDays"], source="CloudWatch Logs PutRetentionPolicy"),
    "task_definition_cpu_architecture": Choice(["X86_64", "ARM64"], api=["ecs.RuntimePlatform.cpuArchitecture"],
                                               model=("ecs", "RegisterTaskDefinition", ["runtimePlatform", "cpuArchitecture"])),
    "task_definition_ephemeral_storage": Range(21, 200, "GiB", api=["ecs.EphemeralStorage.sizeInGiB"],
                                               source="ECS task definition: Fargate ephemeral storage 21-200 GiB"),
    "task_definition_stop_timeout": Range(2, 120, "seconds", api=["ecs.ContainerDefinition.stopTimeout"],
                                          source="ECS ContainerDefinition.stopTimeout: 2-120 on Fargate"),
    "task_definition_readonly_root_filesystem": NoConstraint("a boolean"),
    "task_definition_task_role_policies": JsonSize(10240, per_key=True, api=["iam.PutRolePolicy.PolicyDocument"],
                                                   source="IAM quotas: 10240 characters of inline policies per role"),
    "task_definition_keep_revisions": Range(0, 1000000, source="a count of revisions; 0 keeps all (no AWS value)"),
    # service
    "service_wait": NoConstraint("a boolean"),
    "service_wait_timeout": Range(1, 86400, "seconds", context={"service_wait_delay": 1},
                                  source="a local wait of at least one poll (service_wait_delay); the collection's "
                                         "limit a day"),
    "service_wait_delay": Range(1, 3600, "seconds", context={"service_wait_timeout": 3600},
                                source="a local poll interval; the collection's limit an hour"),
    "service_health_check_grace_period": Range(0, 2147483647, "seconds",
                                               api=["ecs.CreateService.healthCheckGracePeriodSeconds"],
                                               source="ECS CreateService: up to 2147483647"),
    "service_deployment_minimum_healthy_percent": Range(0, 100, "percent",
                                                        api=["ecs.DeploymentConfiguration.minimumHealthyPercent"],
                                                        source="ECS rolling deployments: 0-100"),
    "service_deployment_maximum_percent": Range(100, 200, "percent", api=["ecs.DeploymentConfiguration.maximumPercent"],
                                                source="ECS rolling deployments on Fargate: 100-200",
                                                context={"service_deployment_minimum_healthy_percent": 50}),
    "service_circuit_breaker": NoConstraint("a boolean"),
    "service_circuit_breaker_rollback": NoConstraint("a boolean"),
    "service_platform_version": Text(5, 6, r"^(?:LATEST|1\.4\.0)$", "LATEST or 1.4.0 (Service Connect and ARM64 "
                                     "on Fargate Spot need 1.4.0 or later; the earlier versions are retired)", good="LATEST", bad="1.3.0",
                                     api=["ecs.CreateService.platformVersion"], source="Fargate platform versions"),
    "service_scale_in_cooldown": Range(0, 86400, "seconds", api=["TargetTrackingScalingPolicy.ScaleInCooldown"],
                                       source="Application Auto Scaling cooldowns; the collection's limit a day"),
    "service_scale_out_cooldown": Range(0, 86400, "seconds", api=["TargetTrackingScalingPolicy.ScaleOutCooldown"],
                                        source="Application Auto Scaling cooldowns; the collection's limit a day"),
    "service_release_strategy": NoConstraint("rolling or canary (choices in the argument spec); reaches no API"),
    "service_canary_steps": CanarySteps(api=["elbv2.TargetGroupTuple.Weight"],
                                        source="ALB forward weights 0-999; a canary step leaves traffic on both cells"),
    "service_canary_bake_time": Range(0, 86400, "seconds", source="a local wait; the collection's limit a day"),
    "service_failure_log_lines": Range(0, 10000, "lines", api=["logs.GetLogEvents.limit"],
                                       source="CloudWatch Logs GetLogEvents: limit 1-10000; 0 reads no log"),
    # status
    "status_architecture": NoConstraint("a price table key (choices in the argument spec); reaches no API"),
    "status_output_dir": NoConstraint("a local directory; reaches no API"),
    "status_price_list": NoConstraint("a switch (bool in the argument spec): whether pricing:GetProducts is "
                                      "called"),
    "status_nat_gateways": Range(0, 16, source="a cost estimate's count; reaches no API (16 subnets at most per "
                                               "service, one NAT gateway per AZ)"),
    "status_nat_gb_per_month": Range(0, 10000000, "GB", source="a cost estimate's assumption; reaches no API"),
    "status_log_gb_per_month": Range(0, 10000000, "GB", source="a cost estimate's assumption; reaches no API"),
    "status_alb_lcus": Range(0, 100000, "LCU", source="a cost estimate's assumption; reaches no API"),
}


# -- exact types, from the argument specs ---------------------------------------------------------------------------

def _type_problem(kind, value, strict=False):
    """(converted value, None) or (None, what is wrong) for an argument spec type, exactly: no truthiness.

    ``strict`` (the fields of bandup_services entries, which reach the topology's Python as given): the type itself,
    no "8080" for an int, no "yes" for a bool, no number for a string. A top-level variable may come from
    ``-e name=value`` as a string and is converted like the argument spec would."""
    if kind in ("str", "path", "raw") or kind is None:
        if kind == "raw" or isinstance(value, str):
            return value, None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not strict:
            return str(value), None  # matcher: 200 in YAML is the string "200"
        return None, f"must be a string (got {_kind(value)} {value!r})"
    if kind == "int":
        if isinstance(value, bool):
            return None, f"must be an integer (got a boolean {value!r})"
        if isinstance(value, int):
            return value, None
        if isinstance(value, str) and INT_RE.match(value.strip()) and not strict:
            return int(value), None
        if isinstance(value, float) and value.is_integer() and not strict:
            return int(value), None
        return None, f"must be an integer (got {_kind(value)} {value!r})"
    if kind == "float":
        if isinstance(value, bool):
            return None, f"must be a number (got a boolean {value!r})"
        if isinstance(value, (int, float)):
            return float(value), None
        if isinstance(value, str) and not strict:
            try:
                return float(value.strip()), None
            except ValueError:
                pass
        return None, f"must be a number (got {_kind(value)} {value!r})"
    if kind == "bool":
        if isinstance(value, bool):
            return value, None
        if isinstance(value, str) and value.lower() in BOOLEANS_TRUE | BOOLEANS_FALSE and not strict:
            return value.lower() in BOOLEANS_TRUE, None
        return None, f"must be a boolean (got {_kind(value)} {value!r})"
    if kind == "list":
        if isinstance(value, (list, tuple)):
            return list(value), None
        return None, f"must be a list (got {_kind(value)} {value!r})"
    if kind == "dict":
        if isinstance(value, Mapping):
            return dict(value), None
        return None, f"must be a mapping (got {_kind(value)} {value!r})"
    return value, None


def _kind(value):
    """'a list', 'a mapping'...: by isinstance (templated values are subclasses of the builtin types)."""
    for kind, name in ((bool, "a boolean"), (int, "an integer"), (float, "a number"), (str, "a string"),
                       (Mapping, "a mapping"), ((list, tuple), "a list")):
        if isinstance(value, kind):
            return name
    return "null" if value is None else type(value).__name__


def rule_path(path):
    """'bandup_services[1].alb.priority' -> 'bandup_services[].alb.priority' (the table's key)."""
    return re.sub(r"\[\d+\]", "[]", path)


def check_value(path, spec, value, out):
    """Type, choices and nested options of one value (per the argument spec), then its TABLE rule; appends to out.
    Returns the value converted to its type, None when not given, INVALID when it failed."""
    if value is None:
        if spec.get("required"):
            out.append(f"{path}: required")
            return INVALID
        return None
    value, why = _type_problem(spec.get("type", "str"), value, strict="[" in path)
    if why:
        out.append(f"{path}: {why}")
        return INVALID
    elements = spec.get("elements")
    if spec.get("type") == "list" and elements:
        converted = []
        for idx, item in enumerate(value):
            if spec.get("options"):
                if item is None or not isinstance(item, Mapping):
                    out.append(f"{path}[{idx}]: must be a mapping (got {_kind(item)} {item!r})")
                    converted.append(INVALID)
                    continue
                converted.append(check_options(f"{path}[{idx}]", spec["options"], item, out))
                continue
            item_value, why = _type_problem(elements, item, strict=True)
            if why:
                out.append(f"{path}[{idx}]: {why}")
                return INVALID
            converted.append(item_value)
        value = converted
    elif spec.get("type") == "dict" and spec.get("options"):
        value = check_options(path, spec["options"], value, out)
    choices = spec.get("choices")
    if choices and value not in choices:
        out.append(f"{path}: '{value}' is not one of {', '.join(str(c) for c in choices)}")
        return INVALID
    rule = TABLE.get(rule_path(path))
    if rule is not None and value is not None:
        why = rule.check(value)
        if why:
            suffix = "" if rule.form in why or " must be " in why else f"; must be {rule.form}"
            if re.match(r"^\[\d+\] ", why):  # an entry of a list: path[i]
                index, why = why.split("] ", 1)
                out.append(f"{path}{index}]: {why}{suffix}")
            elif why.startswith(".") and ": " in why:  # a key of a mapping: path.key
                key, why = why.split(": ", 1)
                out.append(f"{path}{key}: {why}{suffix}")
            else:
                out.append(f"{path}: {why}{suffix}")
            return INVALID
    return value


def check_options(path, options, given, out):
    """The keys of a mapping against its options: unknown keys, then each option. Returns the converted mapping."""
    converted = {}
    for key in given:
        if key not in options:
            out.append(f"{path}.{key}: unknown option; known: {', '.join(sorted(options))}")
    for key, spec in options.items():
        if key in given:
            converted[key] = check_value(f"{path}.{key}", spec, given[key], out)
        elif spec.get("required"):
            out.append(f"{path}.{key}: required")
            converted[key] = INVALID
    return converted


# -- the rules that tie variables together ---------------------------------------------------------------------------
# Each rule reads the converted values through a Checked view and runs under _guarded: a rule that reads a value which
# failed its own check is skipped (that value's own problem is reported), so the rules may assume the types of the
# argument specs.

# ECS: a task definition is at most 64 KiB as JSON (ECS service quotas, "Task definition size", not adjustable). The
# collection's container definition holds, besides the environment and secrets, the image, port mapping, health check,
# log configuration and the task's other fields: OVERHEAD_BYTES is what it keeps for them (a rendered definition of the
# local inventory is about 2 KiB).
TASK_DEFINITION_MAX_BYTES = 65536
TASK_DEFINITION_OVERHEAD_BYTES = 8192
# ELB: a listener rule allows 5 wildcards (* or ?) over its conditions (ALB quotas, "Condition wildcards per rule").
RULE_WILDCARDS_MAX = 5
IMAGE_PLATFORMS = {"X86_64": "linux/amd64", "ARM64": "linux/arm64"}


def _entry_sizes(where, svc):
    out = []
    cpu, memory = svc.get("cpu"), svc.get("memory")
    if cpu in FARGATE_SIZES and isinstance(memory, int) and memory not in FARGATE_SIZES[cpu]:
        valid = ", ".join(str(m) for m in FARGATE_SIZES[cpu])
        out.append(f"{where}.memory: {memory} MiB is not valid with cpu {cpu} on Fargate; valid: {valid}")
    active = svc.get("active_count", 2)
    standby = svc.get("standby_count")
    if isinstance(active, int) and isinstance(standby, int) and standby > active:
        out.append(f"{where}.standby_count: {standby} must be between 0 and active_count ({active})")
    return out


def _entry_image(where, svc):
    if svc.get("image") is not None and svc.get("build") is not None:
        return [f"{where}.build: cannot apply with image set (an image given is run as is, nothing is built); "
                "set one of image, build"]
    return []


def _entry_definition_size(where, svc):
    """The environment and secrets as ECS sends them (KeyValuePair / Secret lists) within the task definition's 64 KiB."""
    import json

    environment = [{"name": key, "value": str(val).lower() if isinstance(val, bool) else str(val)}
                   for key, val in (svc.get("environment") or {}).items()]
    secrets = [{"name": key, "valueFrom": val} for key, val in (svc.get("secrets") or {}).items()]
    size = len(json.dumps({"environment": environment, "secrets": secrets}, separators=(",", ":")).encode("utf-8"))
    room = TASK_DEFINITION_MAX_BYTES - TASK_DEFINITION_OVERHEAD_BYTES
    if size > room:
        return [f"{where}.environment: the environment and secrets are {size} bytes as ECS JSON; a task definition is "
                f"at most {TASK_DEFINITION_MAX_BYTES} bytes (64 KiB, ECS quotas), of which the collection keeps "
                f"{TASK_DEFINITION_OVERHEAD_BYTES} for the rest of the container definition: at most {room} bytes. "
                "Put large values into a file of the image, or an SSM parameter or secret (secrets)"]
    return []


def _entry_alb(where, svc):
    out = []
    alb = svc.get("alb") or {}
    if alb.get("enabled", True) is False:
        for key in ("default_route", "path_patterns", "priority"):
            if alb.get(key) not in (None, False, []):
                out.append(f"{where}.alb.{key}: cannot apply with alb.enabled false (the service is not behind "
                           "the load balancer); remove it or enable the ALB")
    elif alb.get("default_route"):
        for key in ("path_patterns", "priority"):
            if alb.get(key) not in (None, []):
                out.append(f"{where}.alb.{key}: cannot apply with alb.default_route (the listener's default "
                           "action has no rule, priority or paths); remove it")
    patterns = alb.get("path_patterns") or []
    wildcards = sum(p.count("*") + p.count("?") for p in patterns)
    if wildcards > RULE_WILDCARDS_MAX:
        out.append(f"{where}.alb.path_patterns: {wildcards} wildcards (* and ?) in the service's rule; a listener rule "
                   f"allows at most {RULE_WILDCARDS_MAX} (ALB quotas, condition wildcards per rule)")
    return out


def _entry_service_connect(where, svc):
    out = []
    sc = svc.get("service_connect") or {}
    if not sc.get("server"):
        for key in ("discovery_name", "dns_name", "client_alias_port"):
            if sc.get(key) is not None:
                out.append(f"{where}.service_connect.{key}: cannot apply without service_connect.server true "
                           "(a client publishes no endpoint)")
    return out


def _entry_autoscaling(where, svc):
    out = []
    auto = svc.get("autoscaling") or {}
    active = svc.get("active_count", 2)
    alb = svc.get("alb") or {}
    if auto.get("enabled", True) is False:
        for key in ("min_count", "max_count", "cpu_target", "memory_target", "requests_per_target"):
            if auto.get(key) is not None:
                out.append(f"{where}.autoscaling.{key}: cannot apply with autoscaling.enabled false; remove it "
                           "or enable autoscaling")
        return out
    if auto.get("requests_per_target") is not None and alb.get("enabled", True) is False:
        out.append(f"{where}.autoscaling.requests_per_target: cannot apply with alb.enabled false "
                   "(ALBRequestCountPerTarget needs the service's target group); use cpu_target or "
                   "memory_target")
    targets = [auto.get(k, 60 if k == "cpu_target" else None) for k in
               ("cpu_target", "memory_target", "requests_per_target")]
    if all(t is None for t in targets):
        out.append(f"{where}.autoscaling: enabled without a target; set cpu_target, memory_target or "
                   "requests_per_target, or autoscaling.enabled false")
    low = auto.get("min_count") if auto.get("min_count") is not None else active
    high = auto.get("max_count") if auto.get("max_count") is not None else (
        active * 2 if isinstance(active, int) else None)
    if isinstance(low, int) and isinstance(high, int):
        if low > high:
            out.append(f"{where}.autoscaling.min_count: {low} is above max_count {high}")
        elif isinstance(active, int) and not low <= active <= high:
            out.append(f"{where}.active_count: {active} is outside autoscaling min_count-max_count "
                       f"({low}-{high}); the scaler would move it at once")
    return out


def _entry_spot(where, svc, values, roles):
    # Fargate Spot runs ARM64 tasks on platform 1.4.0 or later (botocore CapacityProviderStrategyItem); the
    # platforms below 1.4.0 are refused by service_platform_version's own rule, so ARM64 with Spot needs no rule here.
    providers = values.get("cluster_capacity_providers")
    if (svc.get("standby_capacity_provider") == "FARGATE_SPOT" and isinstance(providers, list)
            and "FARGATE_SPOT" not in providers and {"cluster", "service"} & set(roles)):
        return [f"{where}.standby_capacity_provider: FARGATE_SPOT cannot apply, cluster_capacity_providers "
                f"{providers} lacks it"]
    return []


ENTRY_RULES = (_entry_sizes, _entry_image, _entry_definition_size, _entry_alb, _entry_service_connect,
               _entry_autoscaling)


def _service_problems(services, values, roles):
    out = []
    for idx, svc in enumerate(services):
        if not isinstance(svc, Mapping):
            continue
        where = f"bandup_services[{idx}]"
        for rule in ENTRY_RULES:
            out += _guarded(rule, where, svc)
        out += _guarded(_entry_spot, where, svc, values, roles)
    return out


def _priority_problems(services):
    """Listener rule priorities are unique (AWS: PriorityInUse): the explicit ones, and the default 10 x position
    (in dependency order among the services on the ALB without default_route) of the others."""
    entries = [s for s in services if isinstance(s, Mapping) and isinstance(s.get("name"), str)]
    names = {s["name"] for s in entries}
    if len(names) != len(entries):
        return []
    try:
        ordered = _order([{"name": s["name"], "depends_on": list(s.get("depends_on") or [])} for s in entries])
    except TopologyError:
        return []  # the topology says so
    by_name = {s["name"]: (idx, s) for idx, s in enumerate(services) if isinstance(s, Mapping)}
    owner, out = {}, []
    for svc, priority, explicit in rule_priorities([by_name[item["name"]][1] for item in ordered]):
        idx = by_name[svc["name"]][0]
        if priority in owner:
            other, other_explicit = owner[priority]
            out.append(f"bandup_services[{idx}].alb.priority: {priority}{'' if explicit else ' (the default)'} is "
                       f"also the rule priority of bandup_services[{other}]{'' if other_explicit else ' (its default)'}; "
                       "listener rule priorities are unique")
        owner[priority] = (idx, explicit)
    return out


def _network_problems(values):
    out = []
    vpc_id = values.get("network_vpc_id")
    cidrs = {key: values.get(key) for key in ("network_public_subnet_cidrs", "network_private_subnet_cidrs")}
    if vpc_id:
        return out
    try:
        vpc = ipaddress.IPv4Network(values.get("network_vpc_cidr"))
        nets = [(f"{key}[{idx}]", ipaddress.IPv4Network(cidr))
                for key, given in cidrs.items() for idx, cidr in enumerate(given or [])]
    except (ValueError, TypeError):
        return out  # the per-variable checks said so
    for where, net in nets:
        if not net.subnet_of(vpc):
            out.append(f"{where}: {net} does not lie in network_vpc_cidr {vpc}")
    for pos, (where, net) in enumerate(nets):
        for other, onet in nets[pos + 1:]:
            if net.overlaps(onet):
                out.append(f"{other}: {onet} overlaps {where} {net}; subnets of a VPC cannot overlap")
    return out


def _alb_problems(values):
    out = []
    interval, timeout = values.get("alb_health_check_interval"), values.get("alb_health_check_timeout")
    if isinstance(interval, int) and isinstance(timeout, int) and timeout >= interval:
        out.append(f"alb_health_check_timeout: {timeout} must be below alb_health_check_interval ({interval})")
    if values.get("alb_ssl_policy") and not values.get("alb_certificate_arn"):
        out.append("alb_ssl_policy: cannot apply without alb_certificate_arn (no HTTPS listener); set both or "
                   "neither")
    period, periods = values.get("alb_alarm_period"), values.get("alb_alarm_evaluation_periods")
    if isinstance(period, int) and isinstance(periods, int) and period * periods > 86400:
        out.append(f"alb_alarm_evaluation_periods: {periods} x alb_alarm_period ({period} s) must be at most "
                   "one day (86400 s)")
    return out


def _load_balancer_name_problems(values):
    # CreateLoadBalancer Name: "must not begin with internal-" (the ALB is named bandup_name).
    name = values.get("bandup_name")
    if isinstance(name, str) and name.startswith("internal-"):
        return [f"bandup_name: '{name}' names the load balancer, and a load balancer name must not begin with "
                "'internal-' (ELB CreateLoadBalancer Name); choose another deployment name"]
    return []


def _ecr_problems(values):
    out = []
    if values.get("ecr_kms_key") and values.get("ecr_encryption_type") != "KMS":
        out.append("ecr_kms_key: cannot apply with ecr_encryption_type AES256; set ecr_encryption_type KMS")
    if values.get("ecr_repository_policy") and values.get("ecr_pull_account_ids"):
        out.append("ecr_pull_account_ids: cannot apply with ecr_repository_policy (the document is used as is); "
                   "put the accounts into the policy")
    return out


def _cluster_problems(values):
    out = []
    providers = values.get("cluster_capacity_providers")
    strategy = values.get("cluster_default_capacity_provider_strategy")
    if isinstance(providers, list) and isinstance(strategy, list):
        for idx, item in enumerate(strategy):
            if isinstance(item, Mapping) and item.get("capacity_provider") not in providers:
                out.append(f"cluster_default_capacity_provider_strategy[{idx}].capacity_provider: "
                           f"'{item.get('capacity_provider')}' is not in cluster_capacity_providers {providers}")
    if isinstance(strategy, list):
        entries = [item for item in strategy if isinstance(item, Mapping)]
        if sum(1 for item in entries if isinstance(item.get("base"), int) and item["base"] > 0) > 1:
            out.append("cluster_default_capacity_provider_strategy: at most one entry may have a base above 0")
        # the argument spec's default weight is 1
        weights = [item.get("weight") if item.get("weight") is not None else 1 for item in entries]
        if entries and len(entries) == len(strategy) and all(w == 0 for w in weights):
            out.append("cluster_default_capacity_provider_strategy: every weight is 0; at least one capacity provider "
                       "must have a weight above 0 (ECS CapacityProviderStrategyItem)")
    return out


def _service_role_problems(values):
    out = []
    low = values.get("service_deployment_minimum_healthy_percent")
    high = values.get("service_deployment_maximum_percent")
    if isinstance(low, int) and isinstance(high, int) and low >= high:
        out.append(f"service_deployment_maximum_percent: {high} must be above "
                   f"service_deployment_minimum_healthy_percent ({low}); otherwise a rolling deployment can "
                   "neither start a new task nor stop an old one")
    timeout, delay = values.get("service_wait_timeout"), values.get("service_wait_delay")
    if values.get("service_wait") is not False and isinstance(timeout, int) and isinstance(delay, int) \
            and timeout < delay:
        out.append(f"service_wait_timeout: {timeout} seconds is shorter than service_wait_delay ({delay}), so the wait "
                   "would give up before its first poll; set it to at least service_wait_delay, or service_wait false")
    return out


def _task_role_policy_problems(values):
    services = values.get("bandup_services")
    if not isinstance(services, list):
        return []
    names = {s.get("name") for s in services if isinstance(s, Mapping)}
    return [f"task_definition_task_role_policies.{key}: not a service name ({', '.join(sorted(map(str, names)))})"
            for key in (values.get("task_definition_task_role_policies") or {}) if key not in names]


def _image_platform_problems(values):
    # (the argument spec's default is words, the computed default of roles/image/defaults/main.yml follows the
    # architecture: only a platform given is compared)
    platform, arch = values.get("image_platform"), values.get("task_definition_cpu_architecture")
    if platform in IMAGE_PLATFORMS.values() and arch in IMAGE_PLATFORMS and platform != IMAGE_PLATFORMS[arch]:
        return [f"image_platform: '{platform}' does not match task_definition_cpu_architecture {arch}: the tasks "
                f"would fail with 'exec format error'; build for {IMAGE_PLATFORMS[arch]} (or leave image_platform "
                "unset, it follows the architecture)"]
    return []


# (the roles one of which the run must select, or None for every run; the rule)
CROSS_RULES = (
    (None, _load_balancer_name_problems),
    (("network",), _network_problems),
    (("alb",), _alb_problems),
    (("ecr",), _ecr_problems),
    (("cluster",), _cluster_problems),
    (("service",), _service_role_problems),
    (("task_definition",), _task_role_policy_problems),
    (("image",), _image_platform_problems),
)


def cross_problems(values, roles):
    """The rules between variables, on values that passed their own checks: a rule that reads a value which failed
    its own check (INVALID) is skipped, whatever type the value had."""
    values = values if isinstance(values, Checked) else Checked(values)
    out = []
    services = _guarded(lambda: values.get("bandup_services"))
    if isinstance(services, list):
        out += _service_problems(services, values, roles)
        out += _guarded(_priority_problems, services)
    for needs, rule in CROSS_RULES:
        if needs is None or set(needs) & set(roles):
            out += _guarded(rule, values)
    return out


def problems(specs, values, roles, regions=None):
    """Every problem of ``values`` (variable name -> value; absent or None: the default), as messages naming the
    variable path and the allowed range or form.

    ``specs``: role name -> its argument spec options (the bandup role's ``topology`` entry point, the others' ``main``);
    ``roles``: the roles this run selects, whose variables are checked (the shared ones always are);
    ``regions``: the AWS regions botocore knows (its partitions data), when the caller read them.
    """
    out = []
    converted = {}
    for role in ["bandup"] + [r for r in roles if r != "bandup"]:
        for name, spec in (specs.get(role) or {}).items():
            given = values.get(name)
            if given is None:
                converted[name] = spec.get("default") if role != "bandup" else None
                if spec.get("required") and role == "bandup":
                    out.append(f"{name}: required")
                continue
            converted[name] = check_value(name, spec, given, out)
    region = converted.get("bandup_region")
    if regions and isinstance(region, str) and region not in regions:
        out.append(f"bandup_region: '{region}' is not an AWS region (the regions botocore knows: "
                   f"{', '.join(sorted(r for r in regions if r.count('-') == 2)[:12])}...); a region newer than the "
                   "installed botocore needs a newer botocore")
    out += cross_problems(converted, roles)
    return out
