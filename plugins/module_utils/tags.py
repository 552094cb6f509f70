# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A resource's tags converged through the run's ChangeSet: amazon.aws's ``compare_aws_tags`` says what differs, and
the kind's own tag and untag calls write it."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags


def converge_tags(changes, resource, live, wanted, purge, tag, untag, keep=()):
    """Make ``resource``'s tags ``live`` (a dict) match ``wanted`` (None: not managed); with ``purge``, remove the
    keys not in ``wanted`` except those in ``keep``. ``tag(dict)`` and ``untag(keys)`` are sent through ``changes``
    (actions ``tag``/``untag``, fields: the keys). Returns the tags as they are after the run."""
    if wanted is None:
        return dict(live)
    to_set, to_remove = compare_aws_tags(live, wanted, purge)
    to_remove = [key for key in to_remove if key not in keep]
    if to_set:
        changes.write(resource, "tag", lambda: tag(to_set), to_set)
    if to_remove:
        changes.write(resource, "untag", lambda: untag(to_remove), to_remove)
    return {key: value for key, value in dict(live, **to_set).items() if key not in to_remove}
