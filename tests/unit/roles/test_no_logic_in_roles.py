"""Roles pick values; Python computes them (docs/DEVELOPING.md): every Jinja expression and template in roles/ and
playbooks/ (and site.yml) is parsed with Jinja's own parser and refused when it holds a control block (`{% for %}`,
`{% set %}`, `{% if %}`, any statement), arithmetic (`+ - * / // % **`, unary minus, the `sum`/`round`/`abs`/...
filters) or a regex (the `regex_*` filters, the `match`/`search`/`regex` tests, also named as an argument of
`map`/`select`/...). Joining lists with a list literal on one side (`['header:'] + problems`) and text with `~` are
allowed: they compute nothing."""
import os

import jinja2
import pytest
import yaml
from jinja2 import nodes

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SCANNED = ["roles", "playbooks", "site.yml"]
# Keys whose values Ansible evaluates as bare expressions (no braces).
BARE = {"when", "failed_when", "changed_when", "until", "that"}
ARITHMETIC = (nodes.Add, nodes.Sub, nodes.Mul, nodes.Div, nodes.FloorDiv, nodes.Mod, nodes.Pow, nodes.Neg, nodes.Pos)
ARITHMETIC_FILTERS = {"sum", "round", "abs", "log", "pow", "root", "random"}
REGEX_NAMES = {"regex_replace", "regex_search", "regex_findall", "regex_escape", "match", "search", "regex"}
ENV = jinja2.Environment()


def _list_literal(node):
    """A list written out (`[...]`), or a choice between two of them (`[] if x else ['...']`)."""
    if isinstance(node, nodes.List):
        return True
    return isinstance(node, nodes.CondExpr) and _list_literal(node.expr1) and \
        (node.expr2 is None or _list_literal(node.expr2))


def problems(source):
    """What a piece of Jinja computes, in words ([] when it only picks values)."""
    out = []
    for node in ENV.parse(source).find_all(nodes.Node):
        if isinstance(node, nodes.Stmt) and not isinstance(node, nodes.Output):
            out.append(f"control block {{% {type(node).__name__.lower()} %}}")
        elif isinstance(node, nodes.Add) and (_list_literal(node.left) or _list_literal(node.right)):
            continue  # joining lists, one of them written out
        elif isinstance(node, ARITHMETIC):
            out.append(f"arithmetic ({type(node).__name__})")
        elif isinstance(node, (nodes.Filter, nodes.Test)):
            if node.name in REGEX_NAMES:
                out.append(f"regex ({node.name})")
            elif isinstance(node, nodes.Filter) and node.name in ARITHMETIC_FILTERS:
                out.append(f"arithmetic (filter {node.name})")
            out += [f"regex ({arg.value}, as an argument of {node.name})" for arg in node.args
                    if isinstance(arg, nodes.Const) and arg.value in REGEX_NAMES]
    return out


def _yaml_expressions(value, key=None):
    """Every templated string of a loaded YAML file, as Jinja source (bare conditions wrapped in braces)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _yaml_expressions(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from _yaml_expressions(item, key)
    elif isinstance(value, str):
        if key in BARE and "{{" not in value and "{%" not in value:
            yield "{{ " + value + " }}"
        elif "{{" in value or "{%" in value:
            yield value


def _files():
    for entry in SCANNED:
        path = os.path.join(ROOT, entry)
        if os.path.isfile(path):
            yield path
            continue
        for folder, _dirs, names in os.walk(path):
            for name in sorted(names):
                if name.endswith((".yml", ".yaml", ".j2")):
                    yield os.path.join(folder, name)


def tree_problems(files):
    found = []
    for path in files:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        if path.endswith(".j2"):
            sources = [text]
        else:
            sources = list(_yaml_expressions(yaml.safe_load(text)))
        for source in sources:
            found += [f"{os.path.relpath(path, ROOT)}: {what}: {source.strip()[:100]!r}" for what in problems(source)]
    return found


def test_roles_and_playbooks_only_pick_values():
    found = tree_problems(_files())
    assert not found, "compute in module_utils (a filter calls it), not in Jinja:\n" + "\n".join(found)


def test_the_scan_sees_roles_and_playbooks():
    files = list(_files())
    assert any(f.endswith(os.path.join("playbooks", "site.yml")) for f in files)
    assert any(f.endswith(os.path.join("roles", "alb", "tasks", "main.yml")) for f in files)
    assert len(files) > 60


@pytest.mark.parametrize("source,what", [
    ("{% for x in y %}{{ x }}{% endfor %}", "control block {% for %}"),
    ("{% set x = 1 %}", "control block {% assign %}"),
    ("{% if x %}a{% endif %}", "control block {% if %}"),
    ("{{ 10 * loop.index }}", "arithmetic (Mul)"),
    ("{{ index + 1 }}", "arithmetic (Add)"),
    ("{{ a | list + b | list }}", "arithmetic (Add)"),
    ("{{ x[:-1] }}", "arithmetic (Neg)"),
    ("{{ xs | sum }}", "arithmetic (filter sum)"),
    ("{{ x | regex_replace('a', 'b') }}", "regex (regex_replace)"),
    ("{{ xs | map('regex_replace', 'a', 'b') }}", "regex (regex_replace, as an argument of map)"),
    ("{{ x is match('^a') }}", "regex (match)"),
    ("{{ xs | select('search', 'a') }}", "regex (search, as an argument of select)"),
])
def test_each_kind_of_computation_is_found(source, what):
    assert problems(source) == [what]


@pytest.mark.parametrize("source", [
    "{{ bandup_topology.services | selectattr('alb.enabled') | map(attribute='name') | list }}",
    "{{ ['The inventory has ' ~ problems | length ~ ' problem(s):'] + problems }}",
    "{{ summary + ([] if dir | length == 0 else ['written to ' ~ dir]) }}",
    "{{ 'present' if alb_alarms else 'absent' }}",
    "{{ x | default(omit) }}{# a comment {% for %} #}",
    "{{ dict(names | zip(arns)) | combine({'a': 1}) }}",
    "{{ a is defined and b | int > 0 }}",
])
def test_picking_values_passes(source):
    assert problems(source) == []


def test_bare_conditions_are_expressions(tmp_path):
    play = tmp_path / "play.yml"
    play.write_text("- name: x\n  debug: {msg: hi}\n  when: x is match('a') and n * 2 > 3\n"
                    "- name: y\n  assert: {that: ['a | length > 0', \"b is search('c')\"]}\n")
    assert [line.split(": ", 1)[1] for line in tree_problems([str(play)])] == [
        "regex (match): \"{{ x is match('a') and n * 2 > 3 }}\"",
        "arithmetic (Mul): \"{{ x is match('a') and n * 2 > 3 }}\"",
        "regex (search): \"{{ b is search('c') }}\"",
    ]
