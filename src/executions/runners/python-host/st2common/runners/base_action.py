"""
netreflex's version of StackStorm's Action base class (st2common.runners.base_action).

A pack action subclasses Action and implements run(**parameters). The appliance gives it:
  self.config          the pack config (<data dir>/configs/<pack>.yaml with the schema's defaults)
  self.action_service  datastore get/set/delete/list through the appliance
  self.logger          a logger writing to the execution's stderr
Written for netreflex; the contract is StackStorm's, the code is not.
"""
import abc
import logging
import sys
import types

__all__ = ['Action']

# StackStorm's extra log level, above CRITICAL, used by some packs.
AUDIT = logging.CRITICAL + 10
logging.addLevelName(AUDIT, 'AUDIT')

_LEVELS = {'AUDIT': AUDIT, 'CRITICAL': logging.CRITICAL, 'ERROR': logging.ERROR,
           'WARNING': logging.WARNING, 'INFO': logging.INFO, 'DEBUG': logging.DEBUG}


class PackConfigDict(dict):
    """A dict whose missing keys name the pack and its config file, not just the key."""

    def __init__(self, pack, values, source=None):
        super().__init__(values or {})
        self._pack = pack
        self._source = source

    def __missing__(self, key):
        where = self._source or 'configs/%s.yaml' % self._pack
        raise KeyError('pack %s has no config value %r (set it in %s or give it a default in '
                       'the pack\'s config.schema.yaml)' % (self._pack, key, where))


def _audit(self, msg, *args, **kwargs):
    if self.isEnabledFor(AUDIT):
        self._log(AUDIT, msg, args, **kwargs)


def action_logger(name, level='DEBUG'):
    logger = logging.getLogger('actions.python.%s' % name)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter('%(asctime)s %(levelname)s %(name)s [-] %(message)s'))
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(_LEVELS.get(str(level).upper(), logging.DEBUG))
    logger.audit = types.MethodType(_audit, logger)
    return logger


class Action(abc.ABC):
    """Base class of python-script actions."""

    description = None

    def __init__(self, config=None, action_service=None):
        self.action_service = action_service
        pack = getattr(action_service, 'pack', None) or 'unknown'
        source = getattr(action_service, 'config_source', None)
        self.config = PackConfigDict(pack, config, source)
        self.logger = action_logger(self.__class__.__name__, getattr(action_service, 'log_level', 'DEBUG'))

    @abc.abstractmethod
    def run(self, **kwargs):
        raise NotImplementedError
