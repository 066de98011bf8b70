"""The national rule pack ships as package data of ``timescales.packs``."""
