"""Tokens: challenges, card login, tokens that die at midnight, verify, throttling."""
