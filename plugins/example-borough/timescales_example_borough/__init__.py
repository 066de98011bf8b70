"""Example Borough: a made-up council. Copy this package to write your own council's plugin."""
