"""curienn.compat"""
