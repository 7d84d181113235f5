"""The package version; the native core embeds it at build time and `mpc.native` compares the two."""
__version__ = "0.1.0"
