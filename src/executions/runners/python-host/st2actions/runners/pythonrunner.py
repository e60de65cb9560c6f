"""The pre-2.0 import path of the Action base class, kept for older packs."""
from st2common.runners.base_action import Action

__all__ = ['Action']
