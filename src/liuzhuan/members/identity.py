"""Legal identity checks with python-stdnum. Pure module: no Django import."""

from __future__ import annotations

import datetime as dt

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


#: 民法典第十七条: 十八周岁以上的自然人为成年人 (full civil capacity, 第十八条)
ADULT_AGE = 18


def last_minor_day(birth: dt.date, years: int = ADULT_AGE) -> dt.date:
    """The last day before a person born on ``birth`` is ``years`` full years old.

    Civil Code arts. 201–202: the day of birth is not counted, and a period in years ends on the
    corresponding day (the month's last day when there is none: born 29 February → 28 February).
    So the ``years`` are complete at the end of the birthday, and the person is of age from the
    next day (the reading of 「周岁…从周岁生日的第二天起算」)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # 29 February in a common year
        return birth.replace(year=birth.year + years, day=28)


def ric_birth_date(legal_id: str) -> dt.date:
    """The birth date a (validated) 居民身份证号码 carries."""
    return ric.get_birth_date(legal_id)


def check_full_capacity(org_type: str, legal_id: str, on: dt.date) -> None:
    """A natural person must be of age (十八周岁以上) on ``on``, the business date; organisations pass."""
    if org_type != "person":
        return
    born = ric_birth_date(legal_id)
    if on <= last_minor_day(born):
        raise DomainError(
            "person_minor",
            f"身份证号码显示出生日期为 {born:%Y-%m-%d}，截至 {on:%Y-%m-%d} 未满{ADULT_AGE}周岁，"
            "不具备完全民事行为能力，不能注册为会员",
            field="legal_id",
        )


def make_uscc(body17: str) -> str:
    """Complete a 17-character USCC body with its check character (demo data and tests)."""
    return body17 + uscc.calc_check_digit(body17)


def make_ric(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")
