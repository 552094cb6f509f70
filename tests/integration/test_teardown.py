"""Teardown removes the Service Connect namespace's Cloud Map services before the namespace (issue 14, item 3).

On AWS, Service Connect creates a Cloud Map service in the namespace for each discoveryName it serves (with the
tasks as instances), and DeleteNamespace answers ResourceInUse while any service remains. The local endpoint's
ECS does not create them, so the test makes them itself (boto3, as Service Connect would) in the namespace the
cluster play created, one with a registered instance, then runs teardown.yml.
"""
import json
import os
import subprocess

import boto3

from conftest import ROOT, VENV_BIN, recap

NAME = "bandup-local"


def servicediscovery(endpoint):
    return boto3.client("servicediscovery", endpoint_url=endpoint.url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def namespaces(client):
    return [n for n in client.list_namespaces()["Namespaces"] if n["Name"] == NAME]


def test_teardown_deletes_the_namespace_services_then_the_namespace(fresh_endpoint):
    result = fresh_endpoint.playbook("site.yml", "--tags", "cluster")
    assert result.returncode == 0, result.stdout[-5000:]
    client = servicediscovery(fresh_endpoint)
    (namespace,) = namespaces(client)
    backend = client.create_service(Name="backend", NamespaceId=namespace["Id"], Type="HTTP")["Service"]
    client.create_service(Name="frontend", NamespaceId=namespace["Id"], Type="HTTP")
    client.register_instance(ServiceId=backend["Id"], InstanceId="10.20.10.7",
                             Attributes={"AWS_INSTANCE_IPV4": "10.20.10.7", "AWS_INSTANCE_PORT": "8080"})

    # Check mode (the module as the cluster role's teardown calls it): says what it would delete, writes nothing.
    fresh_endpoint.start_recording()
    check = subprocess.run([os.path.join(VENV_BIN, "ansible"), "localhost", "--check", "-m",
                            "bandup.ecs.cloudmap_namespace", "-a", json.dumps(
                                {"name": NAME, "state": "absent", "delete_services": True, "region": "us-east-1"})],
                           cwd=ROOT, env=fresh_endpoint.env, capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout
    assert "resource: cloud map service backend" in check.stdout, check.stdout
    assert "resource: cloud map service frontend" in check.stdout, check.stdout
    assert fresh_endpoint.recorded()["writes"] == []
    assert namespaces(client) and len(client.list_services()["Services"]) == 2

    result = fresh_endpoint.playbook("playbooks/teardown.yml", extra_vars={"confirm": NAME})
    assert result.returncode == 0, result.stdout[-5000:]
    assert namespaces(client) == []
    assert client.list_services()["Services"] == []

    fresh_endpoint.start_recording()
    again = fresh_endpoint.playbook("playbooks/teardown.yml", extra_vars={"confirm": NAME})
    assert again.returncode == 0 and recap(again.stdout)["changed"] == 0, again.stdout[-5000:]
    assert fresh_endpoint.recorded()["writes"] == []
