# netreflex's stand-in for the parts of StackStorm's st2common that pack actions import.
# Only st2common.runners.base_action (the Action base class) is provided.
NETREFLEX_COMPAT = True
