"""What every MI API operation shares, added to the schema once here rather than per view (a drf-spectacular
postprocessing hook): the error responses (400 naming the parameter and the reason, 401, 403, 404, and 429
when the caller's rate is spent), and that text parameters hold no NUL character (Django refuses them with a
400)."""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "description": 'The field at fault with its reasons ({"as_of": ["..."]}), or {"detail": "..."}.',
    "additionalProperties": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
}
ERROR_RESPONSES = {
    "400": "A parameter is not valid: the body names it and says why.",
    "401": "No credentials, or credentials that are not valid.",
    "403": "Signed in without access to the MI API.",
    "404": "No such contract among those the caller may see, no such standard, or a page past the last.",
    "429": "Too many requests: the caller's rate (per user; per address when anonymous) is spent for now.",
}
# Every 429 says when to try again (DRF's throttles).
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before the next request.",
        "schema": {"type": "integer", "minimum": 0},
    }
}


NO_NUL = "^[^\\x00]*$"


def shared_responses_and_parameters(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_RESPONSES.items():
                responses.setdefault(code, {"description": description, "content": error})
            responses["429"].setdefault("headers", RETRY_AFTER)
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if schema.get("type") == "string" and not {"enum", "format", "pattern"} & schema.keys():
                    schema["pattern"] = NO_NUL
    return result
