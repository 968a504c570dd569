"""Grammars for the notice parsers (package data: the .lark files beside this file)."""
