"""allauth's headless API in the published OpenAPI schema (/api/v1/schema/).

drf-spectacular describes our own views; allauth describes its headless API
(sign-up, sign-in, e-mail verification and password reset by code, two-factor
steps) in a specification of its own. This postprocessing hook
(SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) merges that one in, so an app
has one schema: allauth's paths as they are mounted here (/api/v1/auth/app/v1/...,
only the "app" client) and its components renamed with an "Allauth" prefix so
that none of them replaces one of ours.
"""

import copy
from pathlib import Path

import yaml
from allauth.headless.spec.internal import schema as allauth_schema
from django.urls import reverse

PREFIX = "Allauth"
REF = "#/components/"


def _renamed(node):
    """`node` with every "#/components/<kind>/<Name>" reference pointed at PREFIX + Name."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(REF):
                kind, _slash, name = value[len(REF) :].partition("/")
                out[key] = f"{REF}{kind}/{PREFIX}{name}"
            else:
                out[key] = _renamed(value)
        return out
    if isinstance(node, list):
        return [_renamed(item) for item in node]
    return node


def _allauth_schema() -> dict:
    """allauth's get_schema(), its paths rooted where this site mounts the headless API.

    allauth finds that root by reversing "headless:openapi_yaml", a view that
    breaks under this site's "api" namespace and so is not served
    (HEADLESS_SERVE_SPECIFICATION); the root is read off our guarded route of
    the same API (mycity/api_urls.py). The other steps are allauth's own.
    """
    folder = Path(allauth_schema.__file__).parent.parent / "doc"
    spec = yaml.safe_load((folder / "openapi.yaml").read_bytes())
    spec["info"]["description"] = (folder / "description.md").read_text(encoding="utf8")
    allauth_schema.specify_user(spec)
    root = reverse("api:headless_reset_password").partition("/app/v1/")[0]
    spec["paths"] = {path.replace("/_allauth", root): item for path, item in spec["paths"].items()}
    allauth_schema.pin_client(spec)
    allauth_schema.drop_unused_client_parameter(spec)
    used_tags = allauth_schema.drop_unused_paths(spec)
    allauth_schema.drop_unused_tags(spec, used_tags)
    allauth_schema.drop_unused_tag_groups(spec, used_tags)
    allauth_schema.specify_signup_fields(spec)
    allauth_schema.specify_custom_signup_form(spec)
    return spec


def allauth_spec() -> dict:
    """allauth's specification with its components renamed."""
    return _renamed(copy.deepcopy(_allauth_schema()))


METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _operations_named(paths: dict, root: str) -> dict:
    """Every operation with an operationId (drf-spectacular needs one; allauth gives none)
    and with its path's parameters (drf-spectacular reads only the operations')."""
    named = {}
    for path, item in paths.items():
        shared = item.get("parameters", [])
        slug = path.removeprefix(root).strip("/").replace("/", "_").replace("-", "_")
        named[path] = {}
        for method in METHODS:
            if method not in item:
                continue
            operation = dict(item[method])
            operation.setdefault("operationId", f"auth_{slug}_{method}")
            if shared:
                operation["parameters"] = shared + operation.get("parameters", [])
            named[path][method] = operation
    return named


def merge_allauth_spec(result, generator, request, public):
    """Add allauth's headless paths, components and tags to drf-spectacular's schema."""
    spec = allauth_spec()
    root = reverse("api:headless_reset_password").partition("/app/v1/")[0]
    result.setdefault("paths", {}).update(_operations_named(spec["paths"], root))
    components = result.setdefault("components", {})
    for kind, entries in spec.get("components", {}).items():
        target = components.setdefault(kind, {})
        for name, entry in entries.items():
            target[PREFIX + name] = entry
    known = {tag["name"] for tag in result.get("tags", [])}
    result.setdefault("tags", []).extend(
        tag for tag in spec.get("tags", []) if tag["name"] not in known
    )
    return result
