# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A resource's tags converged through the run's ChangeSet: amazon.aws's ``compare_aws_tags`` says what differs, and
the kind's own tag and untag calls write it. The one way the collection writes tags on an existing resource
(``converge_tags``; ``write_tags`` when the caller computed what to set and remove, e.g. with a record among them);
tags given to a create go with the create."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags


def converge_tags(changes, resource, live, wanted, purge, tag, untag=None, keep=()):
    """Make ``resource``'s tags ``live`` (a dict) match ``wanted`` (None: not managed); with ``purge``, remove the
    keys not in ``wanted`` except those in ``keep`` (without ``purge`` tags are only added or changed, and ``untag``
    may be None). ``tag(dict)`` and ``untag(keys)`` are sent through ``changes`` (``write_tags``). Returns the tags
    as they are after the run."""
    if wanted is None:
        return dict(live)
    to_set, to_remove = compare_aws_tags(live, wanted, purge)
    to_remove = [key for key in to_remove if key not in keep]
    write_tags(changes, resource, to_set, to_remove, tag, untag)
    return {key: value for key, value in dict(live, **to_set).items() if key not in to_remove}


def write_tags(changes, resource, to_set, to_remove, tag, untag=None, untag_first=False):
    """Send ``tag(to_set)`` (action ``tag``) and ``untag(to_remove)`` (action ``untag``) through ``changes``, each
    only when there is something to send, fields the keys; ``untag_first`` sends the untag before the tag."""
    writes = [("tag", to_set, tag), ("untag", to_remove, untag)]
    for action, keys, call in (reversed(writes) if untag_first else writes):
        if keys:
            changes.write(resource, action, lambda call=call, keys=keys: call(keys), keys)
