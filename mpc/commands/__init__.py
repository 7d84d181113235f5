"""Subcommands of `mpc`; every module here is discovered by mpc/cli.py (see its docstring)."""
