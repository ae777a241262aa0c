"""``liuzhuan bridge`` — quote a bridge loan or show the rate cap (LPR from the database's table
when it has one, else the shipped history; ``--lpr-csv`` or ``LIUZHUAN_BRIDGE_LPR_SOURCE=csv`` skip it).

    liuzhuan bridge quote --principal 1000000 --draw 2026-03-01 --repay 2026-03-10
    liuzhuan bridge cap --on 2026-03-01 --basis 365

The last line printed on stdout is one JSON object; Chinese summary lines may precede it.
Exit 0 when the loan is allowed, 2 when a rule refuses it (JSON still printed) or when the input
is malformed (one Chinese line on stderr naming the option, no JSON), 1 when the database holding
the bureau's LPR table cannot be read (one line; the shipped history is used only where the table
does not exist yet or is empty, never in place of a failing database).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
from decimal import Decimal, InvalidOperation

from liuzhuan.bridge.rates.common import BridgeError, per_10k_str, rate_str
from liuzhuan.bridge.rates.fees import (
    MODE_ENTRUSTED,
    MODE_LABELS,
    MODE_SELF,
    cap_daily_rate,
    check_daily_rate,
)
from liuzhuan.bridge.rates.lpr import LprTable, LprUnavailable, jan1_lpr, load_lpr_csv, shipped_table
from liuzhuan.bridge.rates.quote import RATE_SOURCE_CAP, quote
from liuzhuan.core.money import MoneyError, format_yuan, parse_yuan

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_REFUSED = 2

#: set to "csv" to skip the database attempt (e.g. on a host whose database is unreachable)
LPR_SOURCE_ENV = "LIUZHUAN_BRIDGE_LPR_SOURCE"


class CliError(Exception):
    """Malformed input: one Chinese line for stderr."""


class _ParserExit(Exception):
    def __init__(self, status: int, message: str | None):
        super().__init__(message)
        self.status = status
        self.message = message


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting and speaks Chinese about errors."""

    def exit(self, status: int = 0, message: str | None = None):
        raise _ParserExit(status, message)

    def error(self, message: str):
        raise CliError(_translate_argparse(message))


def _translate_argparse(message: str) -> str:
    m = re.match(r"the following arguments are required: (.+)", message)
    if m:
        return f"缺少必填参数：{m.group(1).replace(', ', '、')}"
    m = re.match(r"argument ([^:]+): expected one argument", message)
    if m:
        return f"参数 {m.group(1).split('/')[-1]} 缺少取值"
    m = re.match(r"unrecognized arguments: (.+)", message)
    if m:
        return f"无法识别的参数：{m.group(1)}"
    m = re.match(r"argument [^:]+: invalid choice: '([^']*)'", message)
    if m:
        return f"未知子命令“{m.group(1)}”，可用：quote（试算占用费）、cap（查询利率上限）"
    return f"参数错误：{message}"


# --------------------------------------------------------------------------------------------
# Option parsing (each error names its option)
# --------------------------------------------------------------------------------------------

_DATE_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$|^(\d{4})(\d{2})(\d{2})$")


def parse_date(text: str, option: str) -> dt.date:
    m = _DATE_RE.match(text.strip())
    if m:
        y, mo, d = (g for g in m.groups() if g is not None)
        try:
            return dt.date(int(y), int(mo), int(d))
        except ValueError:
            raise CliError(f"{option} 日期“{text}”不存在，请检查年月日") from None
    raise CliError(f"{option} 日期“{text}”格式不正确，应为 YYYY-MM-DD（如 2026-03-01）")


def parse_money(text: str, option: str, *, allow_zero: bool = False) -> int:
    try:
        return parse_yuan(text, allow_zero=allow_zero)
    except MoneyError as exc:
        raise CliError(f"{option} {exc.message}") from exc


_RATE_UNITS = (("‱", Decimal(10000)), ("‰", Decimal(1000)), ("%", Decimal(100)), ("％", Decimal(100)))


def parse_daily_rate(text: str, option: str = "--daily-rate") -> Decimal:
    """``0.0003``, ``3‱``, ``3.3‱``, ``0.3‰`` or ``0.03%`` → ``Decimal`` fraction."""
    s = text.strip().replace(" ", "")
    divisor = Decimal(1)
    for unit, div in _RATE_UNITS:
        if s.endswith(unit):
            s, divisor = s[: -len(unit)], div
            break
    bad = f"{option} 日利率“{text}”格式不正确，应为小数或万分比（如 0.0003、3‱、3.3‱）"
    if not re.fullmatch(r"\d+(\.\d+)?|\.\d+", s):
        raise CliError(bad)
    try:
        rate = Decimal(s) / divisor
    except InvalidOperation as exc:  # pragma: no cover - the regex guards this
        raise CliError(bad) from exc
    try:
        return check_daily_rate(rate)
    except BridgeError as exc:
        raise CliError(f"{option} {exc.message}") from exc


def parse_basis(text: str, option: str = "--basis") -> int:
    s = text.strip()
    if s not in ("360", "365"):
        raise CliError(f"{option} 计息基准“{text}”无效，只能是 360 或 365")
    return int(s)


_MODE_ALIASES = {
    "self": MODE_SELF,
    "自营": MODE_SELF,
    "entrusted": MODE_ENTRUSTED,
    "委托": MODE_ENTRUSTED,
    "委托银行": MODE_ENTRUSTED,
}


def parse_mode(text: str, option: str = "--mode") -> str:
    mode = _MODE_ALIASES.get(text.strip().lower())
    if mode is None:
        raise CliError(f"{option} 业务模式“{text}”无效，只能是 self（自营）或 entrusted（委托银行）")
    return mode


def parse_multiplier(text: str, option: str = "--multiplier") -> Decimal:
    s = text.strip()
    if not re.fullmatch(r"\d+(\.\d+)?|\.\d+", s) or Decimal(s) <= 0:
        raise CliError(f"{option} LPR 倍数“{text}”无效，应为大于零的数（如 1.0、1.2）")
    return Decimal(s)


# --------------------------------------------------------------------------------------------
# LPR source: database when there is one, else the shipped history
# --------------------------------------------------------------------------------------------


class CliFailure(CliError):
    """The environment failed (the database): one Chinese line for stderr, exit 1."""


def _table_from_database() -> LprTable | None:
    """The LPR table from ``liuzhuan.bridge.models.fund.LprRate`` when the table has rows.

    ``None`` (the caller uses the shipped history) only when the table is not there yet (a database
    never migrated, e.g. a fresh checkout) or holds no rows. Any other failure — the database
    unreachable, a broken file, a bad setting — is a ``CliFailure`` naming it: a quote must not
    silently use other rates than the bureau's. ``LIUZHUAN_BRIDGE_LPR_SOURCE=csv`` or ``--lpr-csv``
    skips the database on purpose.
    """
    if os.environ.get(LPR_SOURCE_ENV, "").strip().lower() == "csv":
        return None
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuzhuan.settings")
    try:
        import django
        from django.apps import apps

        if not apps.ready:
            django.setup()
        from django.db import DatabaseError, connection

        from liuzhuan.bridge.models.fund import LprRate
    except Exception as exc:  # settings or apps that cannot load: the same one-line failure
        raise CliFailure(f"无法加载系统配置以读取 LPR：{_one_line(exc)}；如需使用内置 LPR 数据，请加 --lpr-csv 或设置 {LPR_SOURCE_ENV}=csv") from exc
    try:
        if LprRate._meta.db_table not in connection.introspection.table_names():
            return None
        rows = list(LprRate.objects.order_by("effective_date").values_list("effective_date", "lpr_1y", "lpr_5y"))
    except DatabaseError as exc:
        raise CliFailure(f"无法读取数据库中的 LPR 表：{_one_line(exc)}；请检查 DATABASE_URL 与数据库状态，"
                         f"或加 --lpr-csv / 设置 {LPR_SOURCE_ENV}=csv 使用内置数据") from exc
    if not rows:
        return None
    return LprTable.from_rows(rows, "database:LprRate")


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


def load_table(lpr_csv: str | None) -> LprTable:
    if lpr_csv:
        try:
            return load_lpr_csv(lpr_csv)
        except BridgeError as exc:
            raise CliError(f"--lpr-csv {exc.message}") from exc
    return _table_from_database() or shipped_table()


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------

_FIELD_OPTIONS = {
    "date": "--draw",
    "repay": "--repay",
    "principal": "--principal",
    "daily_rate": "--daily-rate",
    "multiplier": "--multiplier",
    "basis": "--basis",
    "mode": "--mode",
}


def _print_json(payload: dict) -> None:
    print(json.dumps(payload, ensure_ascii=False, sort_keys=False))


def cmd_quote(args: argparse.Namespace) -> int:
    principal = parse_money(args.principal, "--principal")
    draw = parse_date(args.draw, "--draw")
    repay = parse_date(args.repay, "--repay")
    mode = parse_mode(args.mode)
    basis = parse_basis(args.basis)
    daily_rate = None if args.daily_rate is None else parse_daily_rate(args.daily_rate)
    due = None if args.due is None else parse_money(args.due, "--due", allow_zero=True)
    approved = None if args.approved is None else parse_money(args.approved, "--approved", allow_zero=True)
    multiplier = None if args.multiplier is None else parse_multiplier(args.multiplier)
    if mode == MODE_SELF and multiplier is not None:
        raise CliError("--multiplier 只适用于委托银行模式（--mode entrusted）")
    if mode == MODE_ENTRUSTED and daily_rate is not None:
        raise CliError(
            "--daily-rate 不适用于委托银行模式：费率以当年 1 月 1 日执行的一年期 LPR 为基准（第七条）"
        )
    table = load_table(args.lpr_csv)
    try:
        q = quote(
            principal_fen=principal,
            draw=draw,
            repay=repay,
            mode=mode,
            daily_rate=daily_rate,
            basis=basis,
            due_fen=due,
            approved_fen=approved,
            multiplier=multiplier,
            table=table,
        )
    except BridgeError as exc:
        option = _FIELD_OPTIONS.get(exc.field or "", "")
        raise CliError(f"{option} {exc.message}".strip()) from exc

    label = MODE_LABELS[q.mode]
    print(
        f"过桥资金试算（{label}，{q.basis} 天计息）：金额 {format_yuan(q.principal_fen)}，"
        f"{q.draw.isoformat()} 至 {q.repay.isoformat()} 共 {q.days} 天（含提款日及还款日）"
    )
    if q.mode == MODE_ENTRUSTED:
        basis_note = f"以 {q.draw.year} 年 1 月 1 日执行的一年期 LPR {q.contract_lpr.lpr_1y}% × {rate_str(q.multiplier)} 为基准"
    elif q.rate_source == RATE_SOURCE_CAP:
        basis_note = "未指定日利率，按上限计"
    else:
        basis_note = "按设定日利率"
    print(
        f"日利率 {rate_str(q.daily_rate)}（{per_10k_str(q.daily_rate)}，{basis_note}），"
        f"占用费 {format_yuan(q.fee_fen)}；上限 {per_10k_str(q.cap_daily_rate)}（{q.cap.describe()}）"
    )
    for alert in q.alerts:
        print(f"提示：{alert}")
    if q.allowed:
        print("结论：符合规定，可以办理")
    else:
        print("结论：不予办理——" + "；".join(q.reasons))
    payload = q.to_dict()
    payload["lpr_source"] = table.source
    _print_json(payload)
    return EXIT_OK if q.allowed else EXIT_REFUSED


def cmd_cap(args: argparse.Namespace) -> int:
    on = parse_date(args.on, "--on")
    basis = parse_basis(args.basis)
    table = load_table(args.lpr_csv)
    try:
        cap = cap_daily_rate(on, basis, table)
    except LprUnavailable as exc:
        raise CliError(f"--on {exc.message}") from exc
    try:
        jan1 = jan1_lpr(on.year, table)
    except LprUnavailable:
        jan1 = None
    print(
        f"{on.isoformat()} 执行的一年期 LPR 为 {cap.lpr.lpr_1y}%（{cap.lpr.effective_date.isoformat()} 起），"
        f"{basis} 天计息下日利率上限 {per_10k_str(cap.daily_rate)}（{cap.describe()}）"
    )
    _print_json(
        {
            "on": on.isoformat(),
            "basis": basis,
            "lpr_1y": str(cap.lpr.lpr_1y),
            "lpr_5y": str(cap.lpr.lpr_5y),
            "lpr_effective_date": cap.lpr.effective_date.isoformat(),
            "cap_daily_rate": rate_str(cap.daily_rate),
            "cap_daily_rate_per_10k": per_10k_str(cap.daily_rate),
            "binding": cap.binding,
            "fixed_daily_cap": rate_str(cap.fixed_daily_cap),
            "lpr_4x_annual_rate": rate_str(cap.lpr_cap_annual),
            "lpr_4x_daily_rate": rate_str(cap.lpr_cap_daily),
            "lpr_4x_daily_rate_per_10k": per_10k_str(cap.lpr_cap_daily),
            "entrusted_jan1_lpr_1y": None if jan1 is None else str(jan1.lpr_1y),
            "lpr_source": table.source,
        }
    )
    return EXIT_OK


def build_parser() -> _Parser:
    parser = _Parser(
        prog="liuzhuan bridge",
        description="续贷过桥资金：试算占用费、查询利率上限（无需数据库）",
        allow_abbrev=False,
    )
    sub = parser.add_subparsers(dest="command", metavar="{quote,cap}")

    q = sub.add_parser("quote", help="试算一笔过桥资金的天数、费率和占用费", allow_abbrev=False)
    q.add_argument("--principal", metavar="YUAN", help="过桥金额（元），如 1000000 或 1,000,000.00")
    q.add_argument("--draw", metavar="DATE", help="提款日 YYYY-MM-DD")
    q.add_argument("--repay", metavar="DATE", help="还款日 YYYY-MM-DD（提款日与还款日均计入天数）")
    q.add_argument("--mode", default="self", help="self（自营，默认）或 entrusted（委托银行）")
    q.add_argument("--daily-rate", metavar="R", help="自营日利率，如 0.0003 或 3‱；省略时按上限")
    q.add_argument("--basis", default="360", help="计息基准天数 360（默认）或 365")
    q.add_argument("--due", metavar="YUAN", help="当期应清偿的原贷款额度（元）")
    q.add_argument("--approved", metavar="YUAN", help="银行续贷批复当期审批额度（元）")
    q.add_argument("--multiplier", metavar="M", help="委托银行模式的 LPR 倍数，默认 1.0")
    q.add_argument(
        "--lpr-csv", metavar="PATH", help="使用指定的 LPR 历史 CSV（默认读数据库，无则用内置数据）"
    )
    q.set_defaults(handler=cmd_quote, required=("--principal", "--draw", "--repay"))

    c = sub.add_parser("cap", help="查询某日的日利率上限及哪一项上限起约束作用", allow_abbrev=False)
    c.add_argument("--on", metavar="DATE", help="日期 YYYY-MM-DD")
    c.add_argument("--basis", default="360", help="计息基准天数 360（默认）或 365")
    c.add_argument("--lpr-csv", metavar="PATH", help="使用指定的 LPR 历史 CSV")
    c.set_defaults(handler=cmd_cap, required=("--on",))
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            raise CliError("缺少子命令：quote（试算占用费）或 cap（查询利率上限），详见 liuzhuan bridge -h")
        missing = [opt for opt in args.required if getattr(args, opt[2:].replace("-", "_")) is None]
        if missing:
            raise CliError(f"缺少必填参数：{'、'.join(missing)}")
        return args.handler(args)
    except _ParserExit as exc:
        if exc.message:
            print(exc.message, file=sys.stderr, end="")
        return exc.status
    except CliFailure as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    except CliError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_REFUSED
