"""nianbao (年报): a public, verifiable archive of government information-disclosure annual reports."""

__version__ = "0.1.0"
