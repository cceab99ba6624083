r"""``curienn.dynamics``: atomistic dynamics with learned forces.

The 4-atom Lennard-Jones argon study of Ma & Chan (arXiv:2208.12146):

- LJ argon: :func:`lj_energy_forces`, :class:`AnalyticLJ`, :func:`ase_lennard_jones`
- the dataset: :func:`make_argon_dataset`, :class:`ArgonData`, :func:`relative_vectors`
- the model and its training: :class:`ArgonForceModel`, :class:`TrainConfig` (the recipe),
  :func:`train_argon` (Adam / FIRE / L-BFGS, checkpoints, resume, Ctrl-C ->
  :class:`TrainingInterrupted`, DDP), :func:`load_model`, :func:`force_rmse`
- MD: :class:`ArgonNNCalculator` (ASE), :func:`run_samples`, :func:`position_rmsd`,
  :func:`energy_rmsd`, :func:`md_summary`, :func:`evaluate_argon` (test / MD-region force
  errors, MD RMSDs)
- data parallel: :func:`init_distributed`
- devices: :func:`resolve_device`, :func:`available_devices`
"""

from ._lj import *  # noqa: F401,F403
from ._dataset import *  # noqa: F401,F403
from ._model import *  # noqa: F401,F403
from ._ddp import *  # noqa: F401,F403
from ._device import *  # noqa: F401,F403
from ._config import *  # noqa: F401,F403
from ._checkpoint import *  # noqa: F401,F403
from ._train import *  # noqa: F401,F403
from ._calculator import *  # noqa: F401,F403
from ._md import *  # noqa: F401,F403
from ._report import *  # noqa: F401,F403
from . import _calculator, _checkpoint, _config, _dataset, _ddp, _device, _lj, _md, _model, _report, _train

__all__ = [*_lj.__all__, *_dataset.__all__, *_model.__all__, *_ddp.__all__, *_device.__all__, *_config.__all__,
           *_checkpoint.__all__, *_train.__all__,
           *_calculator.__all__, *_md.__all__, *_report.__all__]
