"""The REST API at /api/v1/: one NinjaAPI with the routers of each area.

Every endpoint answers as the login behind the token (or the site's session on the docs
page): the same scoped querysets and rules as the pages, so an outsider gets 404, an
insider without the role 403, and an expert in a blind round no names. Writes go through
the same form checks and services. Errors are problem details (wenyi.api.problems).
"""

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.renderers import JSONRenderer

from wenyi.api import problems, routes_activities, routes_orgs, routes_records, routes_review
from wenyi.api.base import AUTH
from wenyi.core.problems import MEDIA_TYPE

DESCRIPTION = """\
The API of wenyi (文艺创作实践活动管理平台). Send a token made on the “API tokens” page of
your login as `Authorization: Bearer <token>`. Answers are what the same login sees on
the pages; errors are RFC 9457 problem details in Chinese, naming the field of each
problem. Lists take `page` and `page_size`. A change names the `version` it
starts from; a change over someone else's is refused with 409 and the current version.
"""


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # Chinese as it is, not as \\u escapes


class Api(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Error answers declared as problem details, as they are sent."""
        schema = super().get_openapi_schema(*args, **kwargs)
        problem = {"$ref": "#/components/schemas/Problem"}
        schema.setdefault("components", {}).setdefault("schemas", {})
        schema["components"]["schemas"].setdefault(
            "Problem",
            problems.Problem.model_json_schema(ref_template="#/components/schemas/{model}"),
        )
        schema["components"]["schemas"].setdefault(
            "FieldProblem", problems.FieldProblem.model_json_schema()
        )
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                responses = operation.setdefault("responses", {})
                codes = {str(code) for code in responses}
                # what any operation may answer: a body or parameters it cannot read, no
                # token, a role that may not, a record not open to the login
                for code in ("400", "401", "403", "404", "422"):
                    if code not in codes:
                        responses[int(code)] = {"description": "Problem details"}
                for code, response in responses.items():
                    if str(code).isdigit() and int(code) >= 400:
                        response["content"] = {MEDIA_TYPE: {"schema": problem}}
                        response.setdefault("description", "Problem details")
        return schema


api = Api(
    title="wenyi API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=AUTH,
    docs=Swagger(settings={"persistAuthorization": True}),
    docs_url="/docs",
    renderer=Renderer(),
    openapi_url="/openapi.json",
)
problems.install(api)
api.add_router("", routes_orgs.router)
api.add_router("", routes_activities.router)
api.add_router("", routes_records.router)
api.add_router("", routes_review.router)
