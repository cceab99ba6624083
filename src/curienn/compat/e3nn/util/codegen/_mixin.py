"""``e3nn.util.codegen._mixin``: ``CodeGenMixin`` is not provided (TorchScript/code
generation): see ``curienn.compat.e3nn.UNSUPPORTED``."""

__all__: list = []
