"""The command line: one argparse tree for ask, models, history, personas and serve."""
