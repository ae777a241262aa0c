"""Legal identity checks with python-stdnum. Pure module: no Django import."""

from __future__ import annotations

from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

from liuzhuan.core.errors import DomainError


def clean_legal_id(org_type: str, value: str) -> str:
    """Return the compact, validated identifier or raise a DomainError naming ``legal_id``."""
    raw = (value or "").strip().upper()
    if not raw:
        raise DomainError("legal_id_required", "请填写统一社会信用代码或身份证号码", field="legal_id")
    if org_type == "person":
        kind, module = "居民身份证号码", ric
    else:
        kind, module = "统一社会信用代码", uscc
    try:
        return module.validate(raw)
    except InvalidChecksum as exc:
        raise DomainError("legal_id_checksum", f"{kind}“{raw}”校验位不正确，请核对", field="legal_id") from exc
    except InvalidLength as exc:
        expected = 18
        raise DomainError("legal_id_length", f"{kind}应为{expected}位，当前为{len(raw)}位", field="legal_id") from exc
    except (InvalidFormat, InvalidComponent) as exc:
        raise DomainError("legal_id_format", f"{kind}“{raw}”格式不正确", field="legal_id") from exc
    except ValidationError as exc:  # pragma: no cover - any other stdnum refusal
        raise DomainError("legal_id_invalid", f"{kind}“{raw}”无效", field="legal_id") from exc


def make_uscc(body17: str) -> str:
    """Complete a 17-character USCC body with its check character (demo data and tests)."""
    return body17 + uscc.calc_check_digit(body17)


def make_ric(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")
