"""A guard before a lookup must be a condition of its own. Jinja resolves every name an expression uses before it
evaluates it, and a task's `vars` are rendered when resolved (ansible-core 2.19+), so in
`when: guard and __found | length > 0` with `__found: "{{ query(...) }}"` the lookup runs when the guard is false too:
an AWS call, and boto3 imported in the worker (~0.25 s), that the guard meant to skip. As a list
(`when: [guard, "__found | length > 0"]`) Ansible evaluates the conditions one by one and stops at the first false."""
import os

import jinja2
import yaml
from jinja2 import nodes

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SCANNED = ["roles", "playbooks"]
ENV = jinja2.Environment()


def _calls_lookup(source):
    return any(isinstance(node.node, nodes.Name) and node.node.name in ("query", "lookup", "q")
               for node in ENV.parse(source).find_all(nodes.Call))


def _tasks(value):
    if isinstance(value, list):
        for item in value:
            yield from _tasks(item)
    elif isinstance(value, dict):
        if "when" in value or "vars" in value:
            yield value
        for key in ("block", "rescue", "always", "tasks", "pre_tasks", "post_tasks", "handlers"):
            yield from _tasks(value.get(key))


def task_problems(task):
    """The names a single `when` expression guards with `and` but resolves anyway, each bound to a lookup."""
    bound = {name for name, value in (task.get("vars") or {}).items()
             if isinstance(value, str) and "{{" in value and _calls_lookup(value)}
    when = task.get("when")
    if not bound or not isinstance(when, str):
        return []
    tree = ENV.parse("{{ " + when + " }}")
    if not any(True for _ in tree.find_all(nodes.And)):
        return []
    used = {node.name for node in tree.find_all(nodes.Name)}
    return sorted(bound & used)


def _files():
    for entry in SCANNED:
        for folder, _dirs, names in os.walk(os.path.join(ROOT, entry)):
            for name in sorted(names):
                if name.endswith((".yml", ".yaml")):
                    yield os.path.join(folder, name)


def test_lookups_behind_a_guard_are_conditions_of_their_own():
    found = []
    for path in _files():
        with open(path, encoding="utf-8") as handle:
            for task in _tasks(yaml.safe_load(handle)):
                found += [f"{os.path.relpath(path, ROOT)}: {task.get('name')}: {name}" for name in task_problems(task)]
    assert not found, "split the `when` into a list, the lookup's condition last:\n" + "\n".join(found)


def test_the_check_sees_the_pattern():
    task = yaml.safe_load("""
name: Refuse a certificate
ansible.builtin.fail: {msg: "{{ found }}"}
when: arn != '' and found | length > 0
vars:
  found: "{{ query('bandup.ecs.certificate', arn) }}"
  label: "{{ arn | upper }}"
""")
    assert task_problems(task) == ["found"]
    task["when"] = ["arn != ''", "found | length > 0"]
    assert task_problems(task) == []
