"""Subscription plans: the plans core and their usage limits."""
