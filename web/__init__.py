"""hearth.web"""
