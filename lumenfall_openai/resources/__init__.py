"""Resources this package owns (the rest are openai's)."""
