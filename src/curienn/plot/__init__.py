"""curienn.plot: figures (matplotlib, imported when a figure is drawn); the top layer.

* signals on the sphere: :func:`plot_signal`, :func:`plot_point_signals`,
  :func:`signal_surface`;
* the order-parameter search (:mod:`curienn.breaking`): :func:`plot_loss_history`,
  :func:`plot_components`, :func:`plot_signal_evolution`, :func:`plot_pseudovectors`,
  :func:`plot_breaking_report`, and :func:`breaking_figures` for
  ``SearchReport.write(outdir, figures=breaking_figures)``;
* the argon study (:mod:`curienn.dynamics`): :func:`plot_loss_curves`,
  :func:`plot_force_parity`, :func:`plot_position_rmsd`, :func:`plot_energy_rmsd`,
  :func:`plot_atom_x`, :func:`plot_sample_energy`, :func:`plot_argon_report`,
  :func:`plot_md_report`, :func:`plot_rmse_curves`.
"""

from ._spherical import *  # noqa: F401,F403
from ._breaking import *  # noqa: F401,F403
from ._argon import *  # noqa: F401,F403
from . import _argon, _breaking, _spherical

__all__ = [*_spherical.__all__, *_breaking.__all__, *_argon.__all__]
