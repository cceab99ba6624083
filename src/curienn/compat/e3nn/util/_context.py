"""``e3nn.util._context``: empty in e3nn 0.6.0 (commented-out code), and here."""

__all__: list = []
