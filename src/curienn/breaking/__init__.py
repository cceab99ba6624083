"""curienn.breaking"""
