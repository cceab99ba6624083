r"""A trained :class:`ArgonForceModel` as an ASE ``Calculator`` (forces only).

The network predicts forces directly (it has no energy), so the calculator
implements ``forces`` only; ASE's ``VelocityVerlet`` needs nothing else.
"""

from __future__ import annotations

import numpy as np
import torch
from ase.calculators.calculator import all_changes

from ._ase_base import SmallSystemCalculator

from ._model import ArgonForceModel

__all__ = ["ArgonNNCalculator"]


class ArgonNNCalculator(SmallSystemCalculator):
    """Forces (eV/Å) of a 4-atom system from an :class:`ArgonForceModel`.

    Parameters
    ----------
    model:
        the trained model (evaluated without gradients, on its own device/dtype).
    """

    implemented_properties = ["forces"]

    def __init__(self, model: ArgonForceModel, **kwargs) -> None:
        super().__init__(**kwargs)
        if not isinstance(model, ArgonForceModel):
            raise ValueError(f"model must be an ArgonForceModel, got {type(model).__name__}")
        self.model = model.eval()

    def calculate(self, atoms=None, properties=("forces",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        if len(self.atoms) != 4:
            raise ValueError(f"the argon model takes exactly 4 atoms, got {len(self.atoms)}")
        pos = torch.from_numpy(np.asarray(self.atoms.positions, dtype=np.float64))
        with torch.no_grad():
            f = self.model.forces(pos.to(self.model.x_scale.device))
        self.results = {"forces": f.double().cpu().numpy()}
