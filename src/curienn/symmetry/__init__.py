"""curienn.symmetry"""
