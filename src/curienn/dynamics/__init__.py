"""curienn.dynamics"""
