"""How each model's count is made: tokenizer families, per-class estimates, online counts."""
