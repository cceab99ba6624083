"""curienn.io"""
