"""curienn.optim"""
