"""Netting engine: optimality against an independent LP, invariants, options, determinism."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
from datetime import date, timedelta

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from liuzhuan.core.money import INT64_MAX
from liuzhuan.netting.solver import (
    Ledger,
    LedgerError,
    NettingOptions,
    Obligation,
    OptionsError,
    solve,
    strongly_connected_components,
)

NAMES = ["甲公司", "乙公司", "丙公司", "丁公司", "戊公司", "Alice", "Bob", "Carol", "德邦物流", "Ωmega"]
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def obligation_lists(draw, max_parties: int = 7, max_obligations: int = 22, max_amount: int = 5_000):
    k = draw(st.integers(2, max_parties))
    names = NAMES[:k]
    n = draw(st.integers(0, max_obligations))
    out = []
    for i in range(n):
        d = draw(st.sampled_from(names))
        c = draw(st.sampled_from([x for x in names if x != d]))
        amount = draw(st.integers(1, max_amount))
        due = draw(
            st.one_of(st.none(), st.integers(0, 5).map(lambda x: date(2026, 1, 1) + timedelta(days=x)))
        )
        out.append(Obligation(id=f"o{i}", debtor=d, creditor=c, amount=amount, due=due))
    return out


# ----------------------------------------------------------------------------------------------
# Independent reference: the LP straight from the definition, one variable per obligation
# ----------------------------------------------------------------------------------------------


def lp_reference(
    obls: list[Obligation],
    caps: dict[str, int] | None = None,
    liquidity: dict[str, int] | None = None,
    exclude: frozenset[str] = frozenset(),
) -> tuple[int, int]:
    """(max cleared, min liquidity used at that maximum) by scipy HiGHS."""
    caps = caps or {}
    liquidity = {p: v for p, v in (liquidity or {}).items() if p not in exclude}
    parties = sorted({o.debtor for o in obls} | {o.creditor for o in obls})
    idx = {p: i for i, p in enumerate(parties)}
    n, m = len(obls), len(parties)
    if n == 0:
        return 0, 0
    liq = [p for p in parties if liquidity.get(p)]
    nx_, ny = len(liq), m if liq else 0
    nv = n + nx_ + ny
    a_eq = np.zeros((m, nv))
    for i, o in enumerate(obls):
        a_eq[idx[o.debtor], i] += 1
        a_eq[idx[o.creditor], i] -= 1
    for j, p in enumerate(liq):
        a_eq[idx[p], n + j] -= 1  # own cash pays part of the payables
    for p in range(ny):
        a_eq[p, n + nx_ + p] += 1  # cash received and kept
    bounds = []
    for o in obls:
        ok = o.debtor not in exclude and o.creditor not in exclude
        bounds.append((0, o.amount if ok else 0))
    bounds += [(0, liquidity[p]) for p in liq]
    bounds += [(0, None)] * ny
    a_ub, b_ub = [], []
    for p, cap in caps.items():
        if p in exclude or p not in idx:
            continue
        row = np.zeros(nv)
        for i, o in enumerate(obls):
            if o.debtor == p:
                row[i] = 1
        if p in liq:
            row[n + liq.index(p)] = -1
        a_ub.append(row)
        b_ub.append(cap)
    c = np.zeros(nv)
    c[:n] = -1
    kw = {"A_ub": np.array(a_ub), "b_ub": b_ub} if a_ub else {}
    res = linprog(c, A_eq=a_eq, b_eq=np.zeros(m), bounds=bounds, method="highs", **kw)
    assert res.status == 0
    cleared = round(-res.fun)
    if not liq:
        return cleared, 0
    # Second stage: least cash among the maximal solutions.
    c2 = np.zeros(nv)
    c2[n : n + nx_] = 1
    a_eq2 = np.vstack([a_eq, np.r_[np.ones(n), np.zeros(nx_ + ny)]])
    res2 = linprog(c2, A_eq=a_eq2, b_eq=np.r_[np.zeros(m), cleared], bounds=bounds, method="highs", **kw)
    assert res2.status == 0
    return cleared, round(res2.fun)


# ----------------------------------------------------------------------------------------------
# Invariant checks shared by the properties
# ----------------------------------------------------------------------------------------------


def check_invariants(result, *, liquidity: bool = False):
    ledger = result.ledger
    cleared = result.cleared
    assert cleared.dtype == np.int64
    assert (cleared >= 0).all() and (cleared <= ledger.amount).all()
    assert (result.paid >= 0).all() and (result.paid <= cleared).all()
    before = ledger.net_positions()
    after = ledger.net_positions(cleared)
    if not liquidity:
        assert (before == after).all(), "net positions must be unchanged"
    else:
        # Paying cash raises the payer's position, receiving it lowers the receiver's.
        delta = np.zeros(len(ledger.parties), dtype=np.int64)
        for p, v in result.liquidity_used.items():
            delta[ledger.party_code(p)] += v
        for p, v in result.liquidity_received.items():
            delta[ledger.party_code(p)] -= v
        assert (after - before == delta).all()
    assert result.cleared_fen + result.remaining_fen == result.total_fen
    assert result.remaining_fen >= (0 if liquidity else result.nid_fen)
    # Loops: real cycles of real obligations whose parts add up to the set-offs.
    loops = result.loops
    per_obl = np.zeros(len(ledger), dtype=np.int64)
    paid = np.zeros(len(ledger), dtype=np.int64)
    for loop in loops:
        assert loop.amount > 0
        assert result.options.min_loop == 0 or loop.amount >= result.options.min_loop
        legs = loop.legs
        for a, b in itertools.pairwise(legs):
            assert a.creditor == b.debtor
        debtors = [leg.debtor for leg in legs]
        assert len(set(debtors)) == len(debtors), "a loop visits every party once"
        if loop.kind == "chain":
            assert legs[-1].creditor not in debtors
            assert len(legs) >= 1
        else:
            assert legs[-1].creditor == legs[0].debtor, "a loop closes"
            assert len(legs) >= 2
            assert (loop.kind == "bilateral") == (len(legs) == 2)
        for leg in legs:
            assert sum(part for _, part in leg.parts) == loop.amount
            for i, part in leg.parts:
                o = ledger.obligation(i)
                assert (o.debtor, o.creditor) == (leg.debtor, leg.creditor)
                assert part > 0
                per_obl[i] += part
                if loop.kind == "chain":
                    paid[i] += part
    if result.options.loops:
        assert (per_obl == cleared).all(), "loops add up to the per-obligation set-offs"
        assert (paid == result.paid).all()


# ----------------------------------------------------------------------------------------------
# Properties
# ----------------------------------------------------------------------------------------------


@PROPERTY
@given(obligation_lists())
def test_optimal_and_consistent(obls):
    result = solve(obls)
    check_invariants(result)
    assert result.cleared_fen == lp_reference(obls)[0]
    assert result.nid_fen == result.ledger.net_positions().clip(min=0).sum()


@PROPERTY
@given(obligation_lists(max_amount=10**12))
def test_large_amounts_exact(obls):
    result = solve(obls)
    check_invariants(result)
    # LP in floats is not exact at this scale; compare with amounts scaled down instead.
    scaled = [Obligation(o.id, o.debtor, o.creditor, 1) for o in obls]
    assert (solve(scaled).cleared_fen == 0) == (result.cleared_fen == 0)


@PROPERTY
@given(obligation_lists(), st.randoms(use_true_random=False))
def test_deterministic_and_order_independent(obls, rnd):
    a = solve(obls)
    b = solve(obls)
    assert (a.cleared == b.cleared).all()
    assert list(a.loops) == list(b.loops)
    shuffled = list(obls)
    rnd.shuffle(shuffled)
    c = solve(shuffled)
    by_id_a = dict(zip(a.ledger.ids, a.cleared.tolist(), strict=True))
    by_id_c = dict(zip(c.ledger.ids, c.cleared.tolist(), strict=True))
    assert by_id_a == by_id_c


@PROPERTY
@given(obligation_lists(), st.data())
def test_caps(obls, data):
    names = sorted({o.debtor for o in obls} | {o.creditor for o in obls})
    if not names:
        return
    capped = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=3))
    caps = {p: data.draw(st.integers(0, 3_000)) for p in capped}
    result = solve(obls, NettingOptions(caps=caps))
    check_invariants(result)
    for p, cap in caps.items():
        out = sum(int(result.cleared[i]) for i, o in enumerate(obls) if o.debtor == p)
        assert out <= cap
    assert result.cleared_fen == lp_reference(obls, caps=caps)[0]


@PROPERTY
@given(obligation_lists(), st.data())
def test_exclusion(obls, data):
    names = sorted({o.debtor for o in obls} | {o.creditor for o in obls})
    if not names:
        return
    excluded = frozenset(data.draw(st.lists(st.sampled_from(names), unique=True, max_size=2)))
    result = solve(obls, NettingOptions(exclude=excluded))
    check_invariants(result)
    for i, o in enumerate(obls):
        if o.debtor in excluded or o.creditor in excluded:
            assert result.cleared[i] == 0
    assert result.cleared_fen == lp_reference(obls, exclude=excluded)[0]


@PROPERTY
@given(obligation_lists(), st.integers(1, 3_000))
def test_min_loop_drops_whole_loops(obls, min_loop):
    full = solve(obls)
    result = solve(obls, NettingOptions(min_loop=min_loop))
    check_invariants(result)  # net positions still unchanged
    assert all(loop.amount >= min_loop for loop in result.loops)
    assert result.cleared_fen <= full.cleared_fen
    assert result.cleared_fen == sum(loop.amount * len(loop.legs) for loop in result.loops)


@PROPERTY
@given(obligation_lists(), st.integers(3, 5))
def test_min_parties_keeps_only_loops_of_that_many_firms(obls, min_parties):
    """Seed 三(六): the closed-loop set-off is among 3 or more parties."""
    full = solve(obls)
    result = solve(obls, NettingOptions(min_parties=min_parties))
    check_invariants(result)  # net positions still unchanged
    assert all(len({leg.debtor for leg in loop.legs}) >= min_parties for loop in result.loops)
    assert result.cleared_fen <= full.cleared_fen
    assert result.cleared_fen == sum(loop.amount * len(loop.legs) for loop in result.loops)


def test_min_parties_three_drops_a_bilateral_loop_and_keeps_a_triangle():
    obls = [obl(1, "A", "B", 100), obl(2, "B", "A", 100), obl(3, "C", "D", 50), obl(4, "D", "E", 50), obl(5, "E", "C", 50)]
    assert solve(obls).cleared_fen == 350_00
    result = solve(obls, NettingOptions(min_parties=3))
    assert result.cleared_fen == 150_00 and [len(loop.legs) for loop in result.loops] == [3]
    assert result.cleared[0] == result.cleared[1] == 0


@PROPERTY
@given(obligation_lists(max_parties=6, max_obligations=16), st.data())
def test_liquidity(obls, data):
    names = sorted({o.debtor for o in obls} | {o.creditor for o in obls})
    if not names:
        return
    sources = data.draw(st.lists(st.sampled_from(names), unique=True, min_size=1, max_size=3))
    liquidity = {p: data.draw(st.integers(0, 4_000)) for p in sources}
    result = solve(obls, NettingOptions(liquidity=liquidity))
    check_invariants(result, liquidity=True)
    for p, used in result.liquidity_used.items():
        assert 0 < used <= liquidity[p], "never more cash than declared"
    assert result.liquidity_used_fen == sum(result.liquidity_received.values())
    assert result.cleared_fen >= result.cleared_without_liquidity
    assert result.cleared_without_liquidity == solve(obls).cleared_fen
    cleared, least_cash = lp_reference(obls, liquidity=liquidity)
    assert result.cleared_fen == cleared
    assert result.liquidity_used_fen == least_cash, "clears the most, then uses the least cash"
    # Cash paid into chains: every yuan used clears at least one yuan.
    assert result.cleared_fen - result.setoff_fen == result.paid_fen
    assert result.paid_fen >= result.liquidity_used_fen


@PROPERTY
@given(obligation_lists(max_parties=5), st.data())
def test_all_options_together(obls, data):
    names = sorted({o.debtor for o in obls} | {o.creditor for o in obls})
    if len(names) < 3:
        return
    options = NettingOptions(
        exclude=frozenset(names[:1]),
        caps={names[1]: data.draw(st.integers(0, 5_000))},
        liquidity={names[2]: data.draw(st.integers(0, 5_000))},
        min_loop=data.draw(st.integers(0, 500)),
    )
    result = solve(obls, options)
    check_invariants(result, liquidity=True)
    assert result.liquidity_used.get(names[2], 0) <= options.liquidity[names[2]]


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 60), st.integers(0, 200), st.randoms(use_true_random=False))
def test_scc_matches_networkx(n, m, rnd):
    tail = np.array([rnd.randrange(n) for _ in range(m)], dtype=np.int64)
    head = np.array([rnd.randrange(n) for _ in range(m)], dtype=np.int64)
    labels = strongly_connected_components(n, tail, head)
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from(zip(tail.tolist(), head.tolist(), strict=True))
    expected = {frozenset(c) for c in nx.strongly_connected_components(g)}
    got: dict[int, set[int]] = {}
    for v, lab in enumerate(labels.tolist()):
        got.setdefault(lab, set()).add(v)
    assert {frozenset(c) for c in got.values()} == expected


def test_scc_large_graph_uses_forward_backward_pass():
    rnd = random.Random(7)
    n = 3_000
    edges = [(rnd.randrange(n), rnd.randrange(n)) for _ in range(9_000)]
    edges += [(i, i + 1) for i in range(2_000, 2_100)]  # a tail of singletons
    tail = np.array([u for u, _ in edges])
    head = np.array([v for _, v in edges])
    labels = strongly_connected_components(n, tail, head)
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from(edges)
    expected = {frozenset(c) for c in nx.strongly_connected_components(g)}
    got: dict[int, set[int]] = {}
    for v, lab in enumerate(labels.tolist()):
        got.setdefault(lab, set()).add(v)
    assert {frozenset(c) for c in got.values()} == expected


def test_long_ring_falls_back_to_tarjan():
    n = 20_000  # deeper than the vectorised BFS goes
    tail = np.arange(n, dtype=np.int64)
    head = (tail + 1) % n
    labels = strongly_connected_components(n, tail, head)
    assert (labels == labels[0]).all()
    obls = [Obligation(str(i), f"F{i}", f"F{(i + 1) % 5000}", 100 + i % 7) for i in range(5000)]
    result = solve(obls)
    assert result.cleared_fen == 5000 * 100
    (loop,) = result.loops
    assert len(loop.legs) == 5000 and loop.amount == 100


# ----------------------------------------------------------------------------------------------
# Examples
# ----------------------------------------------------------------------------------------------


def obl(i, d, c, yuan, due=None):
    return Obligation(str(i), d, c, yuan * 100, due)


def test_blog_example():
    obls = [
        obl(1, "Alice", "Bob", 100),
        obl(2, "Bob", "Eve", 70),
        obl(3, "Eve", "Alice", 100),
        obl(4, "Charlie", "Dave", 100),
        obl(5, "Dave", "Eve", 100),
        obl(6, "Eve", "Charlie", 70),
        obl(7, "Bob", "Charlie", 100),
    ]
    result = solve(obls)
    assert result.total_fen == 64000
    assert result.cleared_fen == 57000
    assert result.remaining_fen == result.nid_fen == 7000
    check_invariants(result)


def test_greedy_shortest_loops_first_is_not_optimal():
    # Bilateral netting first (the obvious greedy) clears A↔B: 2 × 100. The triangle
    # A→B→C→A through the same A→B obligation clears 3 × 100.
    obls = [obl(1, "A", "B", 100), obl(2, "B", "A", 100), obl(3, "B", "C", 100), obl(4, "C", "A", 100)]
    result = solve(obls)
    assert result.cleared_fen == lp_reference(obls)[0] == 30000
    assert result.remaining_fen == result.nid_fen == 10000
    (loop,) = result.loops
    assert loop.kind == "multilateral" and loop.parties == ["A", "B", "C"]
    check_invariants(result)


def test_allocation_earliest_due_then_id():
    d1, d2 = date(2026, 3, 1), date(2026, 1, 15)
    obls = [
        Obligation("9", "A", "B", 10000, d1),
        Obligation("10", "A", "B", 10000, None),
        Obligation("2", "A", "B", 10000, d2),
        Obligation("1", "A", "B", 10000, d1),
        Obligation("x", "B", "A", 25000, None),
    ]
    result = solve(obls)
    by_id = dict(zip(result.ledger.ids, result.cleared.tolist(), strict=True))
    # 250 yuan of set-off on A→B: due 01-15 first, then the two due 03-01 by numeric id (1 before 9).
    assert by_id == {"2": 10000, "1": 10000, "9": 5000, "10": 0, "x": 25000}
    check_invariants(result)
    (loop,) = result.loops
    assert loop.kind == "bilateral" and loop.amount == 25000
    a_to_b = next(leg for leg in loop.legs if leg.debtor == "A")
    assert [result.ledger.ids[i] for i, _ in a_to_b.parts] == ["2", "1", "9"]


def test_near_int64_exact():
    big = 3 * 10**18
    obls = [obl(1, "A", "B", 0) for _ in range(0)] + [
        Obligation("1", "A", "B", big),
        Obligation("2", "B", "C", big),
        Obligation("3", "C", "A", big + 5),
    ]
    assert sum(o.amount for o in obls) <= INT64_MAX
    result = solve(obls)
    assert result.cleared_fen == 3 * big
    assert result.remaining_fen == 5
    check_invariants(result)


def test_cap_modelled_on_payables():
    obls = [obl(1, "A", "B", 100), obl(2, "B", "C", 100), obl(3, "C", "A", 100)]
    result = solve(obls, NettingOptions(caps={"B": 4000}))
    assert result.cleared_fen == 3 * 4000
    assert all(v == 4000 for v in result.cleared.tolist())


def test_liquidity_chain_micro():
    obls = [
        obl(1, "10", "20", 100),
        obl(2, "20", "30", 100),
        obl(3, "30", "10", 200),
        obl(4, "40", "30", 100),
    ]
    result = solve(obls, NettingOptions(liquidity={"40": 1_000_000}))
    assert result.cleared_fen == 50000  # everything
    assert result.liquidity_used == {"40": 10000}  # 100 yuan of cash clears 200 of debt
    assert result.liquidity_received == {"10": 10000}
    assert result.cleared_without_liquidity == 30000
    assert result.summary()["cleared_per_yuan"] == 2.0
    chains = [loop for loop in result.loops if loop.kind == "chain"]
    assert len(chains) == 1 and chains[0].parties == ["40", "30", "10"]
    check_invariants(result, liquidity=True)


def test_empty_and_acyclic():
    assert solve([]).cleared_fen == 0
    r = solve([obl(1, "A", "B", 5), obl(2, "B", "C", 5)])
    assert r.cleared_fen == 0 and len(r.loops) == 0
    assert r.nid_fen == 500


def test_deferred_loops_equal_inline():
    rnd = random.Random(3)
    names = [f"F{i}" for i in range(40)]
    obls = []
    for i in range(400):
        d, c = rnd.sample(names, 2)
        obls.append(Obligation(str(i), d, c, rnd.randint(1, 10**6)))
    inline = solve(obls)
    deferred = solve(obls, NettingOptions(loops=False))
    assert len(deferred.loops) == 0
    assert (inline.cleared == deferred.cleared).all()
    table = deferred.build_loops()
    assert list(table) == list(inline.loops)


@pytest.mark.parametrize(
    ("obls", "code", "index"),
    [
        ([Obligation("1", "A", "B", 0)], "non_positive_amount", 0),
        ([Obligation("1", "A", "B", 5), Obligation("2", "A", "B", -5)], "non_positive_amount", 1),
        ([Obligation("1", "A", "B", 1.5)], "invalid_amount", 0),
        ([Obligation("1", "A", "A", 5)], "self_debt", 0),
        ([Obligation("1", "A", "B", 5), Obligation("1", "B", "A", 5)], "duplicate_id", 1),
        ([Obligation("1", "A", "B", INT64_MAX), Obligation("2", "B", "A", 1)], "total_too_large", 1),
        ([Obligation("1", "", "B", 5)], "empty_debtor", 0),
    ],
)
def test_ledger_validation(obls, code, index):
    with pytest.raises(LedgerError) as exc:
        Ledger.from_obligations(obls)
    assert exc.value.code == code
    assert exc.value.index == index


def test_option_validation():
    obls = [obl(1, "A", "B", 5)]
    with pytest.raises(OptionsError, match="没有参与方"):
        solve(obls, NettingOptions(exclude=frozenset({"Z"})))
    with pytest.raises(OptionsError):
        solve(obls, NettingOptions(caps={"A": -1}))
    with pytest.raises(OptionsError):
        solve(obls, NettingOptions(liquidity={"A": 1.5}))
    with pytest.raises(OptionsError):
        solve(obls, NettingOptions(min_loop=-1))
    with pytest.raises(OptionsError, match="最少参与方"):
        solve(obls, NettingOptions(min_parties=1))


def test_engine_imports_without_django():
    code = (
        "import sys; import liuzhuan.netting.solver, liuzhuan.netting.reading, liuzhuan.netting.writing, liuzhuan.netting.cli; "
        "assert not [m for m in sys.modules if m == 'django' or m.startswith('django.')], 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
