"""hearth.forms"""
