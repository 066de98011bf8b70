"""Evaluation: rules compiled once into plain-Python checkers, run one child at a time."""
