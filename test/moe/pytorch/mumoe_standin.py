"""A stand-in for the official muMoE `MuMoE.py` (github.com/james-oldfield/muMoE), written for the
round-trip test: the same class names, constructor arguments, attributes and state_dict() keys, and
the same forward pass (gates from the raw input, bn/ln, entmax-1.5 or softmax, optional input
LayerNorm, bias folded into the input, optional second layer after GELU sharing the gates), in plain
torch. It is not the official code; it lets the documented snippets run where that code is absent.
"""
import torch
import torch.nn as nn


def entmax15(x, dim=-1):
    """Exact sort-based entmax-1.5 (the algorithm of the entmax package)."""
    x = x.transpose(dim, -1)
    u = (x - x.max(dim=-1, keepdim=True).values) / 2
    s, _ = torch.sort(u, dim=-1, descending=True)
    k = torch.arange(1, u.shape[-1] + 1, dtype=u.dtype)
    mean = s.cumsum(-1) / k
    mean_sq = (s ** 2).cumsum(-1) / k
    tau = mean - torch.sqrt(torch.clamp((1 - k * (mean_sq - mean ** 2)) / k, min=0))
    support = (tau <= s).sum(dim=-1, keepdim=True)
    tau_star = tau.gather(-1, support - 1)
    return (torch.clamp(u - tau_star, min=0) ** 2).transpose(dim, -1)


class MuMoE(nn.Module):
    def __init__(self, MuMoE_layer, input_dim, output_dim, expert_dims, ranks, second_dim=0,
                 normalization="bn", act=entmax15, use_bias=True, hierarchy=1, apply_ln=False):
        super().__init__()
        self.MuMoE = MuMoE_layer(input_dim, output_dim, expert_dims, ranks, use_bias=use_bias, hierarchy=hierarchy)
        self.expert_dims = expert_dims
        self.normalization = normalization
        self.act = act
        self.second_dim = second_dim
        if second_dim > 0:
            self.MuMoE2 = MuMoE_layer(output_dim, second_dim, expert_dims, ranks, use_bias=use_bias, hierarchy=hierarchy)
            self.gelu = nn.GELU()
        self.projs = nn.ParameterList([nn.Parameter(torch.zeros(input_dim, d)) for d in expert_dims])
        self.input_ln = nn.LayerNorm(input_dim) if apply_ln else nn.Identity()
        if normalization == "bn":
            self.bn = nn.ModuleList([nn.BatchNorm1d(d, affine=False) for d in expert_dims])
        if normalization == "ln":
            self.ln = nn.ModuleList([nn.LayerNorm(d, elementwise_affine=False) for d in expert_dims])

    def forward(self, x):
        if x.dim() == 2:
            x = x.view(x.shape[0], 1, x.shape[1])
        a = []
        for e in range(len(self.expert_dims)):
            h = x @ self.projs[e]
            h = self.bn[e](h.transpose(1, 2)).transpose(1, 2) if self.normalization == "bn" else self.ln[e](h)
            a.append(self.act(h))
        self.a = a
        x = self.MuMoE(self.input_ln(x), a=a)
        if self.second_dim:
            x = self.MuMoE2(self.gelu(x), a=a)
        return x


def _augment(z, use_bias):
    return torch.cat([z, torch.ones(*z.shape[:-1], 1, dtype=z.dtype)], dim=-1) if use_bias else z


class CPMuMoE(nn.Module):
    def __init__(self, input_dim, output_dim, expert_dims, rank, use_bias=True, hierarchy=1):
        super().__init__()
        self.hierarchy, self.use_bias, self.expert_dims = hierarchy, use_bias, expert_dims
        dims = list(expert_dims) + [input_dim + (1 if use_bias else 0), output_dim]
        self.factors = nn.ParameterList([nn.Parameter(torch.randn(d, rank)) for d in dims])

    def forward(self, z, a):
        f = self.factors
        h = _augment(z, self.use_bias) @ f[len(a)]
        for e, ae in enumerate(a):
            h = h * (ae @ f[e])
        return h @ f[-1].T


class TRMuMoE(nn.Module):
    def __init__(self, input_dim, output_dim, expert_dims, ranks, act=None, use_bias=True, hierarchy=1):
        super().__init__()
        self.hierarchy, self.use_bias, self.expert_dims = hierarchy, use_bias, expert_dims
        dims = list(expert_dims) + [input_dim + (1 if use_bias else 0), output_dim]
        self.factors = nn.ParameterList([nn.Parameter(torch.randn(r[0], d, r[2])) for r, d in zip(ranks, dims)])

    def forward(self, z, a):
        f = self.factors
        m = torch.einsum("btx,pxq->btpq", a[0], f[0])
        for e in range(1, len(a)):
            m = m @ torch.einsum("btx,pxq->btpq", a[e], f[e])
        m = m @ torch.einsum("btx,pxq->btpq", _augment(z, self.use_bias), f[len(a)])
        return torch.einsum("qop,btpq->bto", f[-1], m)
