"""Node runtimes: one module per family, found through ``registry``."""
