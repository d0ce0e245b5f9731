r"""PAPER FORMULAS (reference only, used to CHECK the library): closed forms of Ahmadi, Malavazi,
Mazurek, Horodecki, Barzanjeh, "Reservoir-engineered exceptional points for quantum energy
storage", shared/papers/001_0303df5991573d7c.txt.

Normalised units: time in 1/Gamma_eff, drive E_r, E_B = |b|^2 (the paper's definition).
Evaluated with mpmath at 50 digits so that the removable 0/0 points (exceptional point
Omega -> 0, phase boundary K -> 0) lose no accuracy nearby; exactly at them the analytic limits
are used (Eq. (29) at the EP; the K -> 0 limit of Eq. (6) derived here).

Misprints handled:
* Eq. (30) writes lambda_pm = -i(gamma_a+gamma_b) pm i Omega; Eq. (21), lambda_pm = -i(alpha+gamma_b) pm Omega,
  is the correct eigenvalue pair of H_r (trace -i(gamma_a+gamma_b)) and is used.
* Eq. (4) needs sqrt(Pi_0) := lambda_0 = -i gamma (the principal root i gamma gives a growing
  exponential); it is then identical to Eq. (29).
* Eqs. (22)-(23) drop a factor i in m_21 (irrelevant for |b|^2).
"""

from __future__ import annotations

import mpmath as mp

mp.mp.dps = 50


def eigen(delta_r, alpha, gamma_b):
    """Eq. (21): lambda_pm = -i(alpha + gamma_b) pm Omega, Omega = i sqrt(1 + (alpha + i delta_r)^2)."""
    d, a, g = mp.mpf(delta_r), mp.mpf(alpha), mp.mpf(gamma_b)
    Om = 1j * mp.sqrt(1 + (a + 1j * d) ** 2)
    lam0 = -1j * (a + g)
    return lam0 + Om, lam0 - Om, Om


def b_eq30(t, delta_r, alpha, gamma_b, E_r=1):
    """Eqs. (3)/(30): b(t) = E_r [lambda_+ e^{-i lambda_- t} - lambda_- e^{-i lambda_+ t} - Delta]/(Pi Delta)."""
    lp, lm, Om = eigen(delta_r, alpha, gamma_b)
    t = mp.mpf(t)
    D, Pi = lp - lm, lp * lm
    return E_r * (lp * mp.exp(-1j * lm * t) - lm * mp.exp(-1j * lp * t) - D) / (Pi * D)


def EB_eq3(t, delta_r, alpha, gamma_b, E_r=1):
    return float(abs(b_eq30(t, delta_r, alpha, gamma_b, E_r)) ** 2)


def b_eq29(t, gamma, E_r=1):
    """Eq. (29) (and Eq. (4) with sqrt(Pi_0) = lambda_0): EP at delta_r = pm 1, gamma_a = gamma_b = gamma."""
    l0 = -1j * mp.mpf(gamma)
    t = mp.mpf(t)
    return E_r * (1j * mp.exp(-1j * l0 * t) / l0 * (t - 1j / l0) - 1 / l0**2)


def EB_eq4(t, gamma, E_r=1):
    return float(abs(b_eq29(t, gamma, E_r)) ** 2)


def EB_eq5(t, delta_r, gamma, E_r=1):
    """Eq. (5), alpha = 0, |delta_r| > 1 (oscillatory): Omega = sqrt(delta_r^2 - 1)."""
    d, g, t = mp.mpf(delta_r), mp.mpf(gamma), mp.mpf(t)
    Om = mp.sqrt(d**2 - 1)
    K = d**2 + g**2 - 1
    return float(
        E_r**2 / K**2 * (1 - mp.exp(-g * t) / Om * (g * mp.sin(Om * t) + Om * mp.cos(Om * t))) ** 2
    )


def EB_eq6(t, delta_r, gamma, E_r=1):
    """Eq. (6), alpha = 0, |delta_r| < 1 (hyperbolic): |Omega| = sqrt(1 - delta_r^2)."""
    d, g, t = mp.mpf(delta_r), mp.mpf(gamma), mp.mpf(t)
    W = mp.sqrt(1 - d**2)
    K = d**2 + g**2 - 1
    return float(
        E_r**2 / K**2 * (1 - mp.exp(-g * t) / W * (g * mp.sinh(W * t) + W * mp.cosh(W * t))) ** 2
    )


def EB_boundary(t, gamma, E_r=1):
    """Limit K -> 0 (|Omega| = gamma, alpha = 0) of Eq. (6), by l'Hopital in |Omega|:
    E_B = E_r^2 [t/(2 gamma) - (1 - e^{-2 gamma t})/(4 gamma^2)]^2 (secular growth of the marginal mode)."""
    g, t = mp.mpf(gamma), mp.mpf(t)
    return float(E_r**2 * (t / (2 * g) - (1 - mp.exp(-2 * g * t)) / (4 * g**2)) ** 2)


def EB_eq7(t, delta_r, gamma, E_r=1):
    """Eq. (7)/(32): asymptotic broken-phase growth."""
    d, g, t = mp.mpf(delta_r), mp.mpf(gamma), mp.mpf(t)
    W = mp.sqrt(1 - d**2)
    K = d**2 + g**2 - 1
    return float(E_r**2 / K**2 * ((g + W) / (2 * W)) ** 2 * mp.exp(2 * (W - g) * t))


def t_crit_eq33(delta_r, gamma, E_max, E_r=1):
    """Eq. (33): t_crit ~ ln(E_max/E_scale) / (2(|Omega| - gamma)), E_scale = E_r^2/(4K^2) ((gamma+|Omega|)/|Omega|)^2."""
    d, g = mp.mpf(delta_r), mp.mpf(gamma)
    W = mp.sqrt(1 - d**2)
    K = d**2 + g**2 - 1
    Es = E_r**2 / (4 * K**2) * ((g + W) / W) ** 2
    return float(mp.log(mp.mpf(E_max) / Es) / (2 * (W - g)))
