"""``liuzhuan netting ...`` — the netting engine on files, without Django.

    liuzhuan netting solve FILE [--json] [--out setoffs.csv] [--loops loops.csv] [--fen]
                               [--exclude NAME]... [--cap NAME=AMOUNT]... [--caps FILE]
                               [--min-loop AMOUNT] [--min-parties N] [--liquidity FILE] [--cash NAME=AMOUNT]...

Exit codes: 0 success, 2 bad input or arguments (one line on stderr naming the problem and,
for file rows, the line number), 1 unexpected failure. Output files are written to temporary
files and renamed into place only after everything succeeded.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pickle
import signal
import sys
import threading
import time
import unicodedata
from functools import partial

import numpy as np
from numpy.dtypes import StringDType

from liuzhuan.core.money import MoneyError, format_yuan, parse_fen, parse_yuan

from .reading import InputError, os_reason, read_obligations, read_party_amounts
from .solver import (
    Ledger,
    LedgerError,
    NettingError,
    NettingOptions,
    NettingResult,
    OptionsError,
    Problem,
    gc_paused,
    prepare,
)
from .solver import warm_up as warm_walk
from .writing import OutputFiles, write_loops, write_setoff_rows, write_setoffs
from .writing import warm_up as warm_writing

#: From this many obligations on, ``solve`` uses a second process for the loops (see --jobs).
PARALLEL_FROM = 200_000


class _UsageError(Exception):
    pass


_ARGPARSE_ZH = (
    ("the following arguments are required: ", "缺少参数："),
    ("unrecognized arguments: ", "无法识别的参数："),
    ("expected one argument", "需要一个值"),
    ("invalid choice: ", "无效的子命令："),
    ("argument ", "参数 "),
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, in Chinese, instead of usage + message
        for en, zh in _ARGPARSE_ZH:
            message = message.replace(en, zh)
        raise _UsageError(message)


def _build_parser() -> _Parser:
    parser = _Parser(prog="liuzhuan netting", description="债权债务闭环抵销（清欠）计算。")
    sub = parser.add_subparsers(dest="command", required=True, metavar="solve")
    sp = sub.add_parser(
        "solve",
        help="计算最大可抵销金额、每笔债务的抵销额和抵销环路",
        description="读取债务清单（CSV 或 XLSX，列：debtor/债务人, creditor/债权人, amount/金额，可选 id/编号, due/到期日），"
        "计算在各方净头寸不变的前提下可抵销的最大金额。",
    )
    sp.add_argument("file", help="债务清单文件（.csv 或 .xlsx）")
    sp.add_argument("--json", action="store_true", help="最后一行输出 JSON 摘要")
    sp.add_argument("--out", metavar="FILE", help="写出每笔债务的抵销结果（CSV）")
    sp.add_argument("--loops", metavar="FILE", help="写出抵销环路明细（CSV）")
    sp.add_argument("--fen", action="store_true", help="金额以整数分计（输入与输出）")
    sp.add_argument(
        "--exclude", action="append", default=[], metavar="NAME", help="不参与抵销的参与方（可重复）"
    )
    sp.add_argument(
        "--cap",
        action="append",
        default=[],
        metavar="NAME=AMOUNT",
        help="某参与方同意抵销的应付上限（可重复）",
    )
    sp.add_argument("--caps", metavar="FILE", help="抵销上限文件（列：party/参与方, amount/金额）")
    sp.add_argument("--min-loop", metavar="AMOUNT", help="低于此金额的环路不执行（整环剔除）")
    sp.add_argument("--min-parties", metavar="N", type=int, default=2,
                    help="环路最少参与方数；3 = 只执行三方以上闭环（工作方案“3个以上主体”），双边互欠不纳入")
    sp.add_argument("--liquidity", metavar="FILE", help="可动用资金文件（列：party/参与方, amount/金额）")
    sp.add_argument(
        "--cash", action="append", default=[], metavar="NAME=AMOUNT", help="某参与方可动用的资金（可重复）"
    )
    sp.add_argument(
        "--jobs",
        type=int,
        choices=(1, 2),
        default=None,
        help=f"进程数：2 = 在子进程中求解最小费用流，同时准备其余计算（默认 {PARALLEL_FROM:,} 笔起用 2）",
    )
    return parser


def _amount_arg(text: str, fen: bool, what: str, *, allow_zero: bool = True) -> int:
    try:
        return parse_fen(text, allow_zero=allow_zero) if fen else parse_yuan(text, allow_zero=allow_zero)
    except MoneyError as exc:
        raise _UsageError(f"{what}：{exc.message}") from exc


def _pairs(items: list[str], fen: bool, what: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        name, eq, amount = item.rpartition("=")
        name = name.strip()
        if not eq or not name:
            raise _UsageError(f"{what}应写成 名称=金额：“{item}”")
        out[name] = _amount_arg(amount.strip(), fen, f"{what}“{name}”")
    return out


def _options(args) -> NettingOptions:
    caps: dict[str, int] = {}
    liquidity: dict[str, int] = {}
    if args.caps:
        caps.update(read_party_amounts(args.caps, fen=args.fen, what="抵销上限"))
    caps.update(_pairs(args.cap, args.fen, "--cap"))
    if args.liquidity:
        liquidity.update(read_party_amounts(args.liquidity, fen=args.fen, what="资金"))
    liquidity.update(_pairs(args.cash, args.fen, "--cash"))
    min_loop = _amount_arg(args.min_loop, args.fen, "--min-loop") if args.min_loop else 0
    return NettingOptions(
        exclude=frozenset(x.strip() for x in args.exclude),
        caps=caps,
        min_loop=min_loop,
        min_parties=args.min_parties,
        liquidity=liquidity,
        loops=True,
    )


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, width: int) -> str:
    return s + " " * max(0, width - _width(s))


def _money(fen: int, as_fen: bool) -> str:
    return f"{fen:,} 分" if as_fen else format_yuan(fen)


def _report(result: NettingResult, summary: dict, args) -> str:
    f = args.fen
    total = summary["total_fen"]
    pct = f"{summary['cleared_fen'] / total * 100:.2f}%" if total else "—"
    rows: list[tuple[str, str]] = [
        ("债务笔数", f"{summary['obligations']:,}"),
        ("参与企业", f"{summary['firms']:,}"),
        ("债务总额", _money(total, f)),
        ("可清偿金额", f"{_money(summary['cleared_fen'], f)}（{pct}）"),
        ("剩余债务", _money(summary["remaining_fen"], f)),
        ("净内部债务（NID）", _money(summary["nid_fen"], f)),
        (
            "抵销环路",
            f"{summary['loops'] - summary['chains']:,} 个（双边 {summary['bilateral']:,}，多边 {summary['multilateral']:,}）",
        ),
    ]
    if result.options.liquidity:
        per = summary.get("cleared_per_yuan")
        rows += [
            ("其中抵销", _money(summary["setoff_fen"], f)),
            ("其中现金支付", _money(summary["paid_fen"], f)),
            ("支付链", f"{summary['chains']:,} 条"),
            ("申报可动用资金", _money(summary["liquidity_declared_fen"], f)),
            ("实际动用资金", _money(summary["liquidity_used_fen"], f)),
            ("不动用资金时可清偿", _money(summary["cleared_without_liquidity_fen"], f)),
            ("每元资金多清偿", "—" if per is None else f"{per:.2f} 元"),
        ]
    if result.options.min_loop or result.options.min_parties > 2:
        rows.append(("剔除的小额或少于最少参与方的环路", f"{result.stats.get('dropped_loops', 0):,} 个"))
    rows.append(("用时", f"{summary['seconds']:.2f} 秒"))
    width = max(_width(k) for k, _ in rows) + 2
    lines = ["债务闭环抵销结果", "─" * 40]
    lines += [_pad(k, width) + v for k, v in rows]
    if args.out:
        lines.append(f"逐笔结果已写入：{args.out}")
    if args.loops:
        lines.append(f"环路明细已写入：{args.loops}")
    return "\n".join(lines)


def _fork_flow(solve) -> tuple[int, object]:
    """Fork a child that runs ``solve()`` (``prepare`` + ``circulation``) and pickles
    ``("flow", (flow, cleared_without, seconds))`` or ``("error", text)`` onto a pipe.
    Returns (pid, the pipe's read end) for :func:`_collect_flow`."""
    rfd, wfd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child (coverage does not follow forks)
        status = 0
        w = os.fdopen(wfd, "wb")
        try:
            os.close(rfd)
            solved = solve()
            pickle.dump(("flow", solved), w, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:
            status = 1
            with contextlib.suppress(BaseException):
                pickle.dump(("error", f"{type(exc).__name__}: {exc}"), w)
        finally:
            with contextlib.suppress(BaseException):
                w.close()
            os._exit(status)
    os.close(wfd)
    return pid, os.fdopen(rfd, "rb")


def _end_child(child: tuple[int, object]) -> None:
    """Kill and reap a child whose answer is not wanted (this process failed first)."""
    pid, r = child
    r.close()
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def _collect_flow(child: tuple[int, object], ledger, options: NettingOptions, meanwhile) -> tuple[Problem, tuple]:
    """Use the second core during the min-cost flow.

    ``SimpleMinCostFlow`` holds the GIL for its whole solve (about half of a 1M run), so a forked
    child (:func:`_fork_flow`) runs ``prepare`` and the flow while this process runs the same
    (deterministic) ``prepare`` itself and then ``meanwhile(problem)``: everything that does not
    depend on the flow (loading the compiled code, sorting the obligations for allocation, the
    byte tables of the output files). A bad option fails in this process's ``prepare`` (the
    child is then killed), so errors read the same as with ``--jobs 1``.
    """
    pid, r = child
    try:
        problem = prepare(ledger, options)
        meanwhile(problem)
        kind, payload = _receive(r)
    except BaseException:
        _end_child(child)
        raise
    r.close()
    os.waitpid(pid, 0)
    if kind != "flow":
        raise NettingError(payload)
    return problem, payload


def _solve_ledger(ledger, options: NettingOptions) -> tuple:
    return prepare(ledger, options).circulation()


def _early_solve(names, debtor_codes, creditor_codes, amounts, options: NettingOptions) -> tuple:
    """The child's flow from the reader's first columns (:func:`read_obligations` ``on_parsed``):
    ``prepare`` reads neither ids nor due dates, so the ledger it gets has blank ids."""
    ids = np.empty(len(debtor_codes), dtype=StringDType())
    ledger = Ledger.from_codes(ids, names, debtor_codes, creditor_codes, amounts, None, checked=True, compact=False)
    return prepare(ledger, options).circulation()


def _receive(r) -> tuple[str, object]:
    try:
        return pickle.load(r)  # noqa: S301 - written by our own forked child on a private pipe
    except EOFError:
        return "error", "子进程意外退出"


def _meanwhile(problem: Problem) -> None:
    problem.prepare_allocation()
    warm_writing(problem.ledger)
    warm_walk()


class _SetoffWriter:
    """Writes the set-off file in a thread as soon as the allocation is known
    (``Problem.finish(on_allocated=...)``), while the compiled walk and the loop table are built:
    the formatters and the file writes release the GIL."""

    def __init__(self, files: OutputFiles, path: str, ledger, fen: bool):
        self.files, self.path, self.ledger, self.fen = files, path, ledger, fen
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def start(self, cleared) -> None:
        ledger = self.ledger
        paid = np.zeros(len(ledger), dtype=np.int64)  # no liquidity: nothing is paid in cash

        def run() -> None:
            try:
                with self.files.open(self.path) as fh:
                    write_setoff_rows(fh, ledger, cleared, paid, ledger.amount - cleared, fen=self.fen)
            except BaseException as exc:  # re-raised by join() in the main thread
                self.error = exc

        self.thread = threading.Thread(target=run, name="setoffs", daemon=True)
        self.thread.start()

    def join(self) -> bool:
        """Wait for the file; False if it was never started. Raises what the thread raised."""
        if self.thread is None:
            return False
        self.thread.join()
        if self.error is not None:
            raise self.error
        return True

    def abandon(self) -> None:
        with contextlib.suppress(BaseException):
            self.join()


def _fail(message: str, code: int) -> int:
    print(f"错误：{message}".replace("\n", " "), file=sys.stderr)
    return code


def main(argv: list[str] | None = None, *, quick_exit: bool = False) -> int:
    """Run the command. ``quick_exit`` (the console script): a successful run ends the process
    with ``os._exit`` once its output is flushed, before its arrays are freed — returning from a
    1M-obligation run frees ~650 MB of arrays and 100k strings one by one (≈ 0.2–0.3 s)."""
    # A short-lived process building millions of acyclic containers: the cyclic collector only
    # rescans the heap (and, after the fork, would copy every page the parent still shares).
    with gc_paused():
        return _main(argv, quick_exit)


def _main(argv: list[str] | None, quick_exit: bool = False) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _build_parser()
    t0 = time.perf_counter()
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:
        return _fail(f"{exc}（用法见 liuzhuan netting solve --help）", 2)
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    files = OutputFiles()
    child = None  # (pid, pipe) of the forked min-cost flow, until collected

    def on_parsed(names, debtor_codes, creditor_codes, amounts) -> None:
        # Two processes (--jobs 2, by default from PARALLEL_FROM obligations): the child starts
        # the flow as soon as the reader has parties, debtors, creditors and amounts; this
        # process meanwhile reads ids and due dates, then prepares what does not need the flow.
        nonlocal child
        if names is None:  # the file needs the exact reader after all
            if child is not None:
                _end_child(child)
                child = None
            return
        jobs = args.jobs if args.jobs is not None else (2 if len(debtor_codes) >= PARALLEL_FROM else 1)
        if jobs > 1 and hasattr(os, "fork") and early_options is not None:
            child = _fork_flow(partial(_early_solve, names, debtor_codes, creditor_codes, amounts, early_options))

    try:
        early_options = _options(args)
    except Exception:  # reported below, after the input file's own problems
        early_options = None
    try:
        try:
            ledger = read_obligations(args.file, fen=args.fen, on_parsed=on_parsed)
            t_read = time.perf_counter()
            options = early_options if early_options is not None else _options(args)  # raises its error now
        except BaseException:
            if child is not None:
                _end_child(child)
            raise
        jobs = args.jobs if args.jobs is not None else (2 if len(ledger) >= PARALLEL_FROM else 1)
        if child is None and jobs > 1 and hasattr(os, "fork"):  # read by the exact reader
            child = _fork_flow(partial(_solve_ledger, ledger, options))
        if child is not None:
            problem, solved = _collect_flow(child, ledger, options, _meanwhile)
        else:
            problem = prepare(ledger, options)
            solved = problem.circulation()
        setoffs = _SetoffWriter(files, args.out, ledger, args.fen) if args.out else None
        try:
            result = problem.finish(solved, on_allocated=setoffs.start if setoffs else None)
        except BaseException:
            if setoffs is not None:
                setoffs.abandon()
            files.discard()
            raise
    except InputError as exc:
        return _fail(str(exc) if exc.line == 0 else f"{exc.path or args.file} {exc}", 2)
    except (_UsageError, OptionsError) as exc:
        return _fail(str(exc), 2)
    except LedgerError as exc:  # pragma: no cover - the reader reports these with line numbers
        return _fail(exc.message, 2)
    except NettingError as exc:  # pragma: no cover - solver failure
        return _fail(f"计算失败：{exc}", 1)

    try:
        counts = result.loops.counts()
        if args.out and not (setoffs is not None and setoffs.join()):
            with files.open(args.out) as fh:
                write_setoffs(fh, result, fen=args.fen)
        if args.loops:
            with files.open(args.loops) as fh:
                write_loops(fh, result, fen=args.fen)
        files.commit()
    except OSError as exc:
        files.discard()
        return _fail(f"无法写出结果文件：{exc.filename or ''}（{os_reason(exc)}）", 2)
    except BaseException:
        files.discard()
        raise

    t_end = time.perf_counter()
    st = result.stats
    summary = {**result.summary(), **counts}
    summary["seconds"] = round(t_end - t0, 3)
    summary["phases"] = {
        "read": round(t_read - t0, 3),
        "aggregate": round(st["t_aggregate"], 3),
        "components": round(st["t_scc"], 3),
        "min_cost_flow": round(st["t_mcf"], 3),
        "loops_and_allocation": round(st["t_decompose"] + st["t_allocate"], 3),
        "write": round(t_end - t_read - st["t_total"], 3),
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(_report(result, summary, args))
    if quick_exit:  # pragma: no cover - ends the process (files are closed and renamed, threads done)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
