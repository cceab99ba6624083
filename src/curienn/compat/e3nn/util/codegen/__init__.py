"""``e3nn.util.codegen``: e3nn's code-generation mixin. ``CodeGenMixin`` is not provided
(TorchScript/code generation): see ``curienn.compat.e3nn.UNSUPPORTED``."""

__all__: list = []
