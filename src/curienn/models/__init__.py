"""curienn.models"""
