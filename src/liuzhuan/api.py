"""REST API root: /api/v1 (django-ninja). Errors are JSON ``{code, message, field}``."""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest
from django.middleware.csrf import get_token
from ninja import NinjaAPI, Schema
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


class UnsupportedMediaType(DomainError):
    status = 415


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or (content_type.startswith("application/") and content_type.endswith("+json"))


class _Parser(Parser):
    """JSON bodies only: another content type is a 415 (a ``text/plain`` body is not read as JSON),
    malformed JSON a 400 saying where, and NUL characters are refused (PostgreSQL text cannot
    store them: a 4xx, not a 500).

    django-ninja turns any parser exception into a 400 "Cannot parse request body"; the error
    found is left on the request for ``_http_error`` to report with its status and field.
    """

    def parse_body(self, request: HttpRequest):
        if not _is_json(request.content_type or ""):
            raise self._refuse(request, UnsupportedMediaType(
                "unsupported_media_type",
                f"请求体须为 JSON，请设置 Content-Type: application/json（收到的是 {request.content_type or '未注明类型'}）"))
        try:
            data = super().parse_body(request)
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
            where = f"（第 {exc.lineno} 行第 {exc.colno} 列）" if isinstance(exc, json.JSONDecodeError) else ""
            raise self._refuse(request, DomainError("invalid_json", f"请求体不是有效的 JSON{where}")) from exc
        if (where := _find_nul(data)) is not None:
            raise self._refuse(request, DomainError(
                "nul_character", f"字段 {where or '请求'} 含有不允许的空字符（\\u0000）", field=where or None))
        return data

    @staticmethod
    def _refuse(request: HttpRequest, error: DomainError) -> DomainError:
        request.liuzhuan_body_error = error
        return error


class ApiRuleError(Schema):
    code: str
    message: str
    field: str | None = None


class ApiError(Schema):
    """Every refusal: what went wrong (``code``), for whom to read (``message``, Chinese), and the
    request field it is about, when there is one. When several business rules fail at once (an
    application breaking three rules), ``errors`` lists each with its field and ``message`` all of them."""

    code: str
    message: str
    field: str | None = None
    errors: list[ApiRuleError] | None = None


class ApiFieldError(Schema):
    field: str | None = None
    message: str
    type: str


class ApiValidationError(ApiError):
    """422: the first wrong field in ``field``; ``errors`` lists them all."""

    errors: list[ApiFieldError] = []


#: answers any operation may give, beside the ones it documents itself
_COMMON_ERRORS = {
    "400": ("ApiError", "业务规则不允许（如状态不符、余额不足），或请求无法处理"),
    "403": ("ApiError", "无权执行此操作"),
    "404": ("ApiError", "对象不存在，或不属于调用方所在机构"),
    "409": ("ApiError", "对象已被并发修改（例如另一笔转让已先完成），请刷新后重试"),
    "422": ("ApiValidationError", "请求字段不正确（field 指明字段）"),
}
_AUTH_ERRORS = {"401": ("ApiError", "未登录或令牌无效")}
_BODY_ERRORS = {"413": ("ApiError", "请求体超过上限")}
_JSON_BODY_ERRORS = {"415": ("ApiError", "请求体须为 JSON（Content-Type: application/json）")}


class _Api(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Document the error answers every operation really gives (issue 17 item 8): schema
        checkers and generated clients would otherwise treat a 403 or a 409 as undefined."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (ApiRuleError, ApiError, ApiFieldError, ApiValidationError):
            components[model.__name__] = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components[model.__name__].pop("$defs", None)
        for path_item in schema["paths"].values():
            for operation in path_item.values():
                answers = dict(_COMMON_ERRORS)
                if operation.get("security"):
                    answers.update(_AUTH_ERRORS)
                if "requestBody" in operation:
                    answers.update(_BODY_ERRORS)
                    if "application/json" in operation["requestBody"].get("content", {}):
                        answers.update(_JSON_BODY_ERRORS)
                responses = operation.setdefault("responses", {})
                for status, (name, text) in answers.items():
                    if int(status) in responses:  # ninja keys its own answers by int: one key per status
                        continue
                    responses.setdefault(status, {
                        "description": text,
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
                    })
        return schema


api = _Api(
    title="流转 liuzhuan API",
    parser=_Parser(),
    version="1",
    description="应收账款债权凭证流转、债务闭环抵销与续贷过桥资金平台接口。认证：会话（含 CSRF）或 Bearer 令牌。"
    "写操作可带 Idempotency-Key 请求头（至多 64 个可见 ASCII 字符，建议 UUID）：超时重试时返回首次结果且不重复办理。",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


#: pydantic error types in Chinese; ``{…}`` takes the error's context (bounds, lengths)
_ERROR_TEXT = {
    "missing": "必须填写",
    "less_than_equal": "不能大于 {le}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "必须小于 {lt}",
    "greater_than": "必须大于 {gt}",
    "int_type": "须为整数（JSON 数字，不加引号）",
    "int_parsing": "须为整数",
    "int_from_float": "须为整数",
    "bool_type": "须为 true 或 false",
    "bool_parsing": "须为 true 或 false",
    "string_type": "须为字符串",
    "string_too_long": "不能超过 {max_length} 个字符",
    "string_too_short": "至少 {min_length} 个字符",
    "too_long": "至多 {max_length} 项",
    "too_short": "至少 {min_length} 项",
    "date_type": "须为日期（YYYY-MM-DD）",
    "date_parsing": "须为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "须为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "须为日期（YYYY-MM-DD），不含时间",
    "datetime_parsing": "须为日期时间（ISO 8601）",
    "decimal_parsing": "须为数字",
    "decimal_type": "须为数字",
    "finite_number": "须为有限的数字",
    "decimal_max_digits": "至多 {max_digits} 位数字",
    "decimal_max_places": "至多 {decimal_places} 位小数",
    "decimal_whole_digits": "整数部分至多 {whole_digits} 位",
    "string_pattern_mismatch": "格式不正确",
    "literal_error": "须为 {expected} 之一",
    "enum": "须为 {expected} 之一",
    "list_type": "须为数组",
    "dict_type": "须为对象",
    "model_type": "须为对象",
    "model_attributes_type": "须为对象",
    "extra_forbidden": "不是可用的字段",
}


def validation_message(error: dict) -> str:
    """One pydantic error in Chinese (the English text when the type is not translated)."""
    text = _ERROR_TEXT.get(error.get("type", ""))
    if text is None:
        return error.get("msg", "")
    try:
        return text.format(**error.get("ctx", {}))
    except (KeyError, IndexError):
        return error.get("msg", "")


def _error_field(error: dict) -> str | None:
    """``items[2].amount_fen``: the same path the actions and the NUL check give."""
    field = ""
    for part in error.get("loc", []):
        if part in ("body", "query", "path", "payload", "form"):
            continue
        field += f"[{part}]" if isinstance(part, int) else f".{part}" if field else str(part)
    return field or None


@api.exception_handler(NinjaValidationError)
def _validation_error(request, exc: NinjaValidationError):
    """422 naming the first wrong field in ``field`` and in the message; ``errors`` lists them all."""
    first = exc.errors[0] if exc.errors else {}
    field = _error_field(first)
    message = f"字段 {field} 不正确：{validation_message(first)}" if field else "请求格式不正确"
    errors = [{**e, "field": _error_field(e), "message": validation_message(e)} for e in exc.errors]
    return api.create_response(request, {"code": "invalid", "message": message, "field": field, "errors": errors}, status=422)


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
