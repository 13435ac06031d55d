"""hearth.rules"""
