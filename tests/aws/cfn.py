"""Reading infra/template.yaml in tests: decode, resolve a few intrinsics, walk IAM, graph refs.

cfn-lint validates the SAM template against SAM's schemas but does not run the SAM transform,
so two things it cannot see are checked here: IAM statements, and dependency cycles that the
SAM `Events: S3` property creates (the bucket's notification depends on the function).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from cfnlint.decode import decode_str  # type: ignore[import-untyped]

TEMPLATE = Path(__file__).resolve().parents[2] / "infra" / "template.yaml"

# Actions AWS offers no resource-level scoping for, so their statements must say "*".
STAR_RESOURCE_ACTIONS = frozenset(
    {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "cloudwatch:PutMetricData"}
)
POLICY_RESOURCE_TYPES = (
    "AWS::S3::BucketPolicy",
    "AWS::SQS::QueuePolicy",
    "AWS::SNS::TopicPolicy",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
)


def load(text: str | None = None) -> dict[str, Any]:
    template, errors = decode_str(text if text is not None else TEMPLATE.read_text())
    assert not errors, errors
    assert isinstance(template, dict)
    return template


def parameters(template: Mapping[str, Any], **overrides: str) -> dict[str, str]:
    """Parameter defaults plus pseudo parameters (moto's account), then the overrides."""
    values = {
        "AWS::AccountId": "123456789012",
        "AWS::Region": "us-east-1",
        "AWS::Partition": "aws",
    }
    for name, spec in template["Parameters"].items():
        if "Default" in spec:
            values[name] = str(spec["Default"])
    values.update(overrides)
    return values


def resolve(node: Any, params: Mapping[str, str], conditions: Mapping[str, bool]) -> Any:
    """Plain values for Ref/Fn::Sub/Fn::If/Fn::Join over parameters and pseudo parameters."""
    if isinstance(node, list):
        out = [resolve(n, params, conditions) for n in node]
        return [v for v in out if v is not _NO_VALUE]
    if not isinstance(node, dict):
        return node
    if set(node) == {"Ref"}:
        name = node["Ref"]
        if name == "AWS::NoValue":
            return _NO_VALUE
        return params[name]
    if set(node) == {"Fn::Sub"}:
        text = node["Fn::Sub"]
        assert isinstance(text, str), "only the one-argument form is resolved"
        return re.sub(r"\$\{([^}!]+)\}", lambda m: params[m.group(1)], text)
    if set(node) == {"Fn::If"}:
        name, yes, no = node["Fn::If"]
        return resolve(yes if conditions[name] else no, params, conditions)
    if set(node) == {"Fn::Join"}:
        sep, parts = node["Fn::Join"]
        return sep.join(resolve(parts, params, conditions))
    resolved = {k: resolve(v, params, conditions) for k, v in node.items()}
    return {k: v for k, v in resolved.items() if v is not _NO_VALUE}


_NO_VALUE = object()


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def policy_documents(template: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every permission policy (not trust policies) with the resource that holds it."""
    for name, resource in template["Resources"].items():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                yield f"{name}/{policy['PolicyName']}", policy["PolicyDocument"]
        elif resource["Type"] in POLICY_RESOURCE_TYPES:
            yield name, props["PolicyDocument"]


def wildcard_violations(doc: Mapping[str, Any]) -> list[str]:
    """Allow statements granting every action of a service or every resource."""
    found = []
    for statement in as_list(doc.get("Statement", [])):
        if statement.get("Effect") != "Allow":
            continue  # a Deny on "*" restricts, it grants nothing
        sid = statement.get("Sid", "?")
        if "NotAction" in statement or "NotResource" in statement:
            found.append(f"{sid}: NotAction/NotResource grants everything else")
        actions = [a for a in as_list(statement.get("Action", [])) if isinstance(a, str)]
        for action in actions:
            if action == "*" or action.endswith(":*"):
                found.append(f"{sid}: action {action}")
        for res in as_list(statement.get("Resource", [])):
            if not isinstance(res, str):
                continue  # Ref/GetAtt/Sub of a resource: scoped by construction
            if res == "*" or re.fullmatch(r"arn:aws:[a-z0-9-]+:[^:]*:[^:]*:\*", res):
                extra = set(actions) - STAR_RESOURCE_ACTIONS
                if extra or not actions:
                    found.append(f"{sid}: resource {res} for {sorted(extra) or 'no actions'}")
    return found


def references(node: Any) -> set[str]:
    """Logical ids a node refers to through Ref, Fn::GetAtt and ${...} in Fn::Sub."""
    refs: set[str] = set()
    if isinstance(node, list):
        for item in node:
            refs |= references(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                refs.add(value)
            elif key == "Fn::GetAtt":
                target = value[0] if isinstance(value, list) else str(value).split(".")[0]
                refs.add(target)
            elif key == "Fn::Sub":
                text = value if isinstance(value, str) else value[0]
                refs |= {m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text)}
                if isinstance(value, list):
                    refs |= references(value[1])
            else:
                refs |= references(value)
    return refs


def dependency_graph(template: Mapping[str, Any]) -> dict[str, set[str]]:
    """Resource -> resources it must wait for, including what the SAM transform adds."""
    resources = template["Resources"]
    graph: dict[str, set[str]] = {}
    for name, resource in resources.items():
        props = dict(resource.get("Properties", {}))
        events = props.pop("Events", {}) if resource["Type"] == "AWS::Serverless::Function" else {}
        deps = references(props) | set(as_list(resource.get("DependsOn", [])))
        for event in events.values():
            if event["Type"] != "S3":  # SAM's S3 event is the reverse edge, added below
                deps |= references(event.get("Properties", {}))
        graph[name] = {d for d in deps if d in resources}
    for name, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for event in resource.get("Properties", {}).get("Events", {}).values():
            if event["Type"] == "S3":
                # SAM writes the function's ARN into the bucket's NotificationConfiguration
                # and makes the bucket depend on the function's invoke permission.
                bucket = event["Properties"]["Bucket"]["Ref"]
                graph[bucket].add(name)
    return graph


def find_cycle(graph: Mapping[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None
