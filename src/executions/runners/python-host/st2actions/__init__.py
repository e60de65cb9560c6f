# Older packs import the Action class from st2actions.runners.pythonrunner.
NETREFLEX_COMPAT = True
