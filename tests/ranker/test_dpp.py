"""greedy_dpp / greedy_dpp_lowrank / mmr against slow references on random inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from ranker_reference import (
    brute_greedy_logdet,
    mmr_loop,
    paper_algorithm1,
    random_psd,
)

from ranker import greedy_dpp, greedy_dpp_lowrank, mmr
from ranker.tradeoff import greedy_dpp_tradeoff, tradeoff_alpha, tradeoff_kernel


@pytest.fixture(params=["numpy", "torch"])
def backend(request) -> str:
    """Both code paths on CPU: zero-copy numpy views (the default there) and torch ops."""
    return request.param


def _pad(sel: list[int], k: int) -> list[int]:
    return sel + [-1] * (k - len(sel))


@pytest.mark.parametrize("seed", range(12))
def test_greedy_dpp_equals_brute_force_logdet(seed, backend):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 13))
    k = int(rng.integers(1, n + 1))
    kernel, _, _ = random_psd(rng, n)
    got = greedy_dpp(torch.from_numpy(kernel), k, backend=backend)
    assert got.shape == (1, k)
    assert got[0].tolist() == _pad(brute_greedy_logdet(kernel, k), k)


def test_greedy_dpp_batched_equals_paper_algorithm1_per_list(backend):
    rng = np.random.default_rng(7)
    bsz, n, k = 9, 40, 15
    kernels = np.stack([random_psd(rng, n, rank=25)[0] for _ in range(bsz)])
    got = greedy_dpp(torch.from_numpy(kernels), k, backend=backend)
    for b in range(bsz):
        assert got[b].tolist() == _pad(paper_algorithm1(kernels[b], k), k)


def test_early_stop_pads_each_row_independently(backend):
    rng = np.random.default_rng(3)
    n, k = 12, 8
    full, _, _ = random_psd(rng, n)
    low, _, _ = random_psd(rng, n, rank=3)  # rank 3: at most 3 picks with positive gain
    got = greedy_dpp(torch.from_numpy(np.stack([full, low])), k, eps=1e-8, backend=backend)
    assert (got[0] >= 0).all()
    assert (got[1, :3] >= 0).all() and got[1, 3:].tolist() == [-1] * 5
    assert got[1].tolist() == _pad(brute_greedy_logdet(low, k, eps=1e-8), k)
    assert got[1].tolist() == _pad(paper_algorithm1(low, k, eps=1e-8), k)


def test_k_larger_than_n_and_zero_kernel(backend):
    rng = np.random.default_rng(4)
    kernel, _, _ = random_psd(rng, 5)
    got = greedy_dpp(torch.from_numpy(kernel), 7, backend=backend)
    assert sorted(got[0, :5].tolist()) == list(range(5)) and got[0, 5:].tolist() == [-1, -1]
    assert greedy_dpp(torch.zeros(2, 4, 4), 3, backend=backend).tolist() == [[-1] * 3] * 2


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("window", [1, 2, 3, 4])
def test_sliding_window_equals_its_definition(seed, window, backend):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(6, 12))
    k = int(rng.integers(window + 1, n + 1))
    kernel, _, _ = random_psd(rng, n)
    got = greedy_dpp(torch.from_numpy(kernel), k, window=window, backend=backend)
    assert got[0].tolist() == _pad(brute_greedy_logdet(kernel, k, window=window), k)


def test_sliding_window_batched_rows_independent(backend):
    rng = np.random.default_rng(11)
    kernels = np.stack([random_psd(rng, 10)[0] for _ in range(5)])
    got = greedy_dpp(torch.from_numpy(kernels), 8, window=3, backend=backend)
    for b in range(5):
        assert got[b].tolist() == _pad(brute_greedy_logdet(kernels[b], 8, window=3), 8)


def test_window_at_least_k_is_plain_greedy():
    rng = np.random.default_rng(12)
    kernel = torch.from_numpy(random_psd(rng, 15)[0])
    assert torch.equal(greedy_dpp(kernel, 6, window=6), greedy_dpp(kernel, 6))


@pytest.mark.parametrize("window", [None, 3])
def test_lowrank_equals_full_kernel(window, backend):
    rng = np.random.default_rng(5)
    bsz, n, d, k = 6, 50, 8, 12
    q = rng.uniform(0.1, 3.0, size=(bsz, n))
    feats = rng.normal(size=(bsz, n, d))
    feats /= np.linalg.norm(feats, axis=2, keepdims=True)
    kernel = q[:, :, None] * np.einsum("bnd,bmd->bnm", feats, feats) * q[:, None, :]
    full = greedy_dpp(torch.from_numpy(kernel), k, window=window, backend=backend)
    low = greedy_dpp_lowrank(
        torch.from_numpy(q), torch.from_numpy(feats), k, window=window, backend=backend
    )
    assert torch.equal(full, low)
    if window is None:  # rank 8: the rest is padding
        assert (low[:, 8:] == -1).all() and (low[:, :8] >= 0).all()
    else:  # a window of 3 never exhausts rank 8
        assert (low >= 0).all()


def test_float32_matches_float64_on_well_separated_kernel(backend):
    rng = np.random.default_rng(8)
    kernel = random_psd(rng, 30)[0]
    a = greedy_dpp(torch.from_numpy(kernel), 10, backend=backend)
    b = greedy_dpp(torch.from_numpy(kernel).float(), 10, backend=backend)
    assert torch.equal(a, b)


def test_bad_inputs_name_the_problem():
    with pytest.raises(ValueError, match="kernel"):
        greedy_dpp(torch.zeros(3, 4), 2)
    with pytest.raises(ValueError, match="k must"):
        greedy_dpp(torch.eye(3), 0)
    with pytest.raises(ValueError, match="window"):
        greedy_dpp(torch.eye(3), 2, window=0)
    with pytest.raises(ValueError, match="backend"):
        greedy_dpp(torch.eye(3), 2, backend="jax")
    with pytest.raises(ValueError, match="quality"):
        greedy_dpp_lowrank(torch.ones(2, 3), torch.ones(2, 4, 5), 2)


def test_tradeoff_kernel_is_chen_section5():
    rng = np.random.default_rng(9)
    rel = rng.uniform(size=(1, 6))
    emb = rng.normal(size=(1, 6, 4))
    theta = 0.7
    alpha = theta / (2 * (1 - theta))
    assert tradeoff_alpha(theta) == pytest.approx(alpha)
    unit = emb[0] / np.linalg.norm(emb[0], axis=1, keepdims=True)
    q = np.exp(alpha * rel[0])
    expected = q[:, None] * (unit @ unit.T) * q[None, :]
    got = tradeoff_kernel(torch.from_numpy(rel), torch.from_numpy(emb), theta)[0].numpy()
    # tradeoff_kernel divides by exp(α max r)²: same kernel up to a constant.
    scale = expected[0, 0] / got[0, 0]
    np.testing.assert_allclose(got * scale, expected, rtol=1e-10)
    # log det L_Y = 2 α Σ r + log det S_Y for every subset.
    sub = [0, 2, 5]
    lhs = np.linalg.slogdet(expected[np.ix_(sub, sub)])[1]
    rhs = 2 * alpha * rel[0, sub].sum() + np.linalg.slogdet((unit @ unit.T)[np.ix_(sub, sub)])[1]
    assert lhs == pytest.approx(rhs)


@pytest.mark.parametrize("window", [None, 3])
def test_tradeoff_in_log_space_equals_dpp_on_the_tradeoff_kernel(window, backend):
    rng = np.random.default_rng(41)
    for bsz in (1, 5):
        rel = torch.from_numpy(rng.uniform(size=(bsz, 30)))
        emb = torch.from_numpy(rng.normal(size=(bsz, 30, 12)))
        for theta in (0.1, 0.3, 0.6, 0.8):  # θ = 0 is all ties on unit diagonals
            expected = greedy_dpp(tradeoff_kernel(rel, emb, theta), 10, window=window, eps=1e-12)
            got = greedy_dpp_tradeoff(rel, emb, 10, theta, window=window, backend=backend)
            assert torch.equal(got, expected), (bsz, theta)


def _brute_log_space(rel: np.ndarray, emb: np.ndarray, k: int, theta: float) -> list[int]:
    """Greedy on 2α Σ r + log det S_Y, every candidate tried with slogdet."""
    unit = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    sim = unit @ unit.T
    alpha = theta / (2 * (1 - theta))
    selected: list[int] = []
    for _ in range(k):
        best, best_val = -1, -np.inf
        for i in range(len(rel)):
            if i in selected:
                continue
            sub = selected + [i]
            sign, logdet = np.linalg.slogdet(sim[np.ix_(sub, sub)])
            val = 2 * alpha * rel[sub].sum() + logdet if sign > 0 else -np.inf
            if val > best_val:
                best, best_val = i, val
        selected.append(best)
    return selected


@pytest.mark.parametrize("seed", range(4))
def test_tradeoff_near_one_gives_full_lists_where_the_kernel_underflows(seed, backend):
    rng = np.random.default_rng(300 + seed)
    rel, emb = rng.uniform(size=40), rng.normal(size=(40, 16))
    got = greedy_dpp_tradeoff(
        torch.from_numpy(rel).float(), torch.from_numpy(emb).float(), 10, 0.99, backend=backend
    )
    assert got[0].tolist() == _brute_log_space(rel, emb, 10, 0.99)
    # the float32 kernel itself underflows: q² = exp(-99 Δr) < eps once Δr > 0.14
    short = greedy_dpp(
        tradeoff_kernel(
            torch.from_numpy(rel[None]).float(), torch.from_numpy(emb[None]).float(), 0.99
        ),
        10,
        eps=1e-6,
    )
    assert (got >= 0).all() and (short[0] == -1).any()


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("lam", [0.0, 0.3, 0.7, 1.0])
def test_mmr_equals_plain_loop(seed, lam):
    rng = np.random.default_rng(200 + seed)
    bsz, n, d = 3, int(rng.integers(5, 30)), 6
    k = int(rng.integers(1, n + 1))
    rel = rng.uniform(size=(bsz, n))
    emb = rng.normal(size=(bsz, n, d))
    got = mmr(torch.from_numpy(rel), torch.from_numpy(emb), k, lam)
    for b in range(bsz):
        assert got[b].tolist() == mmr_loop(rel[b], emb[b], k, lam)


def test_mmr_pads_when_k_exceeds_n():
    got = mmr(torch.tensor([0.1, 0.9]), torch.eye(2), 4, 0.5)
    assert got.tolist() == [[1, 0, -1, -1]]


@pytest.mark.gpu
def test_cuda_matches_cpu():
    rng = np.random.default_rng(21)
    kernels = torch.from_numpy(np.stack([random_psd(rng, 60, rank=30)[0] for _ in range(16)]))
    for window in (None, 4):
        cpu = greedy_dpp(kernels, 20, window=window, backend="numpy")
        gpu = greedy_dpp(kernels.cuda(), 20, window=window)
        assert torch.equal(cpu, gpu.cpu())
    q = torch.rand(16, 200, dtype=torch.float64)
    f = torch.nn.functional.normalize(torch.randn(16, 200, 32, dtype=torch.float64), dim=-1)
    assert torch.equal(
        greedy_dpp_lowrank(q, f, 20), greedy_dpp_lowrank(q.cuda(), f.cuda(), 20).cpu()
    )
    assert torch.equal(mmr(q, f, 20, 0.6), mmr(q.cuda(), f.cuda(), 20, 0.6).cpu())
    for theta in (0.5, 0.9):
        cpu = greedy_dpp_tradeoff(q, f, 20, theta)
        assert torch.equal(cpu, greedy_dpp_tradeoff(q.cuda(), f.cuda(), 20, theta).cpu())


def test_cpu_batch_chunks_give_the_same_lists(monkeypatch):
    import ranker.dpp

    rng = np.random.default_rng(31)
    kernels = np.stack([random_psd(rng, 20, rank=12)[0] for _ in range(7)])
    monkeypatch.setattr(ranker.dpp, "_CPU_CHUNK_BYTES", 1)  # one list per chunk
    got = greedy_dpp(torch.from_numpy(kernels), 15)
    for b in range(7):
        assert got[b].tolist() == _pad(paper_algorithm1(kernels[b], 15), 15)
    q = torch.rand(5, 30, dtype=torch.float64)
    f = torch.nn.functional.normalize(torch.randn(5, 30, 6, dtype=torch.float64), dim=-1)
    assert torch.equal(
        greedy_dpp_lowrank(q, f, 9, window=3),
        greedy_dpp_lowrank(q, f, 9, window=3, backend="torch"),
    )
