"""Counting tokens in text: encodings, BPE, chunking, the counter, inputs and the fast paths."""
