# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rule classes of the inventory checks (plugin_utils/constraints.py): one class per kind of bound an AWS API
member puts on a value (a range, an amount, a choice, a pattern, tags, CIDRs, image references...), each saying
what is wrong with a value and citing the botocore member or the AWS document it comes from."""

from __future__ import annotations

import ipaddress
import json
import re
import unicodedata
from collections.abc import Mapping

from ansible_collections.bandup.ecs.plugins.module_utils.topology import FARGATE_SIZES, canary_steps_problem

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
    """service_canary_steps: the percent of traffic on the standby cell at each step (topology.canary_steps_problem)."""

    form = "a non-empty list of increasing percentages, each 1-99"

    def check(self, value):
        return canary_steps_problem(value)

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


def _kind(value):
    """'a list', 'a mapping'...: by isinstance (templated values are subclasses of the builtin types)."""
    for kind, name in ((bool, "a boolean"), (int, "an integer"), (float, "a number"), (str, "a string"),
                       (Mapping, "a mapping"), ((list, tuple), "a list")):
        if isinstance(value, kind):
            return name
    return "null" if value is None else type(value).__name__
