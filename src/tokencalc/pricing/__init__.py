"""What counted text and requests cost: costs, estimates and their dates."""
