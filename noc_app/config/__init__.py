"""Wall configuration: YAML in, frozen, validated config objects out."""
