"""The shipped YAML configs, one per variant (installed as ganzoo.zoo_configs)."""
