"""REST API root: /api/v1 (django-ninja). Errors are JSON ``{code, message, field}``."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.middleware.csrf import get_token
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import django_auth

from liuzhuan.core.errors import DomainError
from liuzhuan.members.api_auth import TokenAuth


def _find_nul(value, path: str = "") -> str | None:
    """The path of the first string holding a NUL character, or None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _find_nul(item, f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None


class _Parser(Parser):
    """JSON bodies, refusing NUL characters (PostgreSQL text cannot store them: a 4xx, not a 500).

    django-ninja turns any parser exception into a 400 "Cannot parse request body"; the error
    found is left on the request for ``_http_error`` to report with the field's name.
    """

    def parse_body(self, request: HttpRequest):
        data = super().parse_body(request)
        if (where := _find_nul(data)) is not None:
            request.liuzhuan_body_error = DomainError(
                "nul_character", f"字段 {where or '请求'} 含有不允许的空字符（\\u0000）", field=where or None)
            raise request.liuzhuan_body_error
        return data


api = NinjaAPI(
    title="流转 liuzhuan API",
    parser=_Parser(),
    version="1",
    description="应收账款债权凭证流转、债务闭环抵销与续贷过桥资金平台接口。认证：会话（含 CSRF）或 Bearer 令牌。",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def _validation_error(request, exc: NinjaValidationError):
    first = exc.errors[0] if exc.errors else {}
    loc = [str(x) for x in first.get("loc", []) if x not in ("body", "query", "path", "payload", "form")]
    field = ".".join(loc) or None
    message = f"字段 {field} 不正确：{first.get('msg', '')}" if field else "请求格式不正确"
    return api.create_response(
        request, {"code": "invalid", "message": message, "field": field, "errors": exc.errors}, status=422
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return api.create_response(request, {"code": "not_authenticated", "message": "未登录或令牌无效", "field": None}, status=401)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"code": "not_found", "message": "对象不存在", "field": None}, status=404)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if (found := getattr(request, "liuzhuan_body_error", None)) is not None:
        return api.create_response(request, found.as_dict(), status=found.status)
    return api.create_response(request, {"code": "http_error", "message": str(exc), "field": None}, status=exc.status_code)


@api.get("/csrf", auth=None, summary="获取 CSRF Cookie（会话方式调用写接口前使用）")
def csrf(request):
    """Sets the ``csrftoken`` cookie; send it back as the ``X-CSRFToken`` header on writes."""
    return {"csrftoken": get_token(request)}


#: apps whose router is mounted somewhere other than /<app label>
_ROUTER_PREFIX = {"members": "/", "supervision": "/supervision"}


def _register_routers() -> None:
    """Mount ``router`` from every liuzhuan app that has an ``api`` module, at ``/<label>``."""
    from liuzhuan.core.discovery import app_modules

    for config, module in app_modules("api"):
        api.add_router(_ROUTER_PREFIX.get(config.label, f"/{config.label}"), module.router)


_register_routers()
