"""
Runs one StackStorm-style Python action for netreflex, then exits (one process per execution).

The appliance talks to this process over fd 3, one JSON object per line:
  appliance -> host  {"op": "start", "entry_point", "pack", "parameters", "config", ...}
  host -> appliance  {"id": n, "op": "kv.get" | "kv.set" | "kv.delete" | "kv.list", ...}
  appliance -> host  {"id": n, "ok": true, "value": ...} or {"id": n, "ok": false, "error": "..."}
  host -> appliance  {"op": "result", "status": true|false|null, "result": ...}
                  or {"op": "failure", "kind": "missing_module"|"load"|"exception"|"bad_status", ...}
stdout and stderr stay the action's own, so print() output is captured as StackStorm does.
"""
import importlib.util
import json
import os
import sys

CHANNEL_FD = 3
# StackStorm's exit code for a run() whose 2-tuple does not start with True/False.
BAD_STATUS_EXIT_CODE = 220
SYSTEM_SCOPES = ('system', 'st2kv.system')


class Channel(object):
    def __init__(self, fd):
        # The action's own subprocesses must not inherit the appliance's channel.
        os.set_inheritable(fd, False)
        self._fd = fd
        self._reader = open(fd, 'rb', closefd=False)
        self._next_id = 0

    def send(self, message):
        data = memoryview((json.dumps(message) + '\n').encode('utf-8'))
        while data:
            data = data[os.write(self._fd, data):]

    def receive(self):
        line = self._reader.readline()
        if not line:
            raise EOFError('the appliance closed the channel')
        return json.loads(line.decode('utf-8'))

    def call(self, op, **args):
        self._next_id += 1
        request = dict(args, id=self._next_id, op=op)
        self.send(request)
        reply = self.receive()
        if not reply.get('ok'):
            raise RuntimeError(reply.get('error') or 'datastore request %s failed' % op)
        return reply.get('value')


class KeyValuePair(object):
    """What list_values returns per key (the attributes st2client's KeyValuePair has)."""

    def __init__(self, record):
        self.name = record.get('name')
        self.value = record.get('value')
        self.secret = record.get('secret', False)
        self.scope = record.get('scope', 'system')
        self.expire_timestamp = record.get('expire_timestamp')

    def __repr__(self):
        return '<KeyValuePair name=%s>' % self.name


class ActionService(object):
    """self.action_service: the datastore through the appliance, with StackStorm's key naming."""

    def __init__(self, channel, pack, log_level, config_source):
        self._channel = channel
        self.pack = pack
        self.log_level = log_level
        self.config_source = config_source
        self.class_name = None

    def _full_name(self, name, local):
        # StackStorm keeps an action's own keys under "<pack>.<ActionClass>:<name>".
        return '%s.%s:%s' % (self.pack, self.class_name, name) if local else name

    @staticmethod
    def _check_scope(scope):
        if scope not in SYSTEM_SCOPES:
            raise ValueError('Scope %s is unsupported.' % scope)

    def get_user_info(self):
        raise NotImplementedError('netreflex: action_service.get_user_info() is not available to actions')

    def list_values(self, local=True, prefix=None):
        full = self._full_name(prefix or '', True) if local else (prefix or '')
        return [KeyValuePair(r) for r in self._channel.call('kv.list', prefix=full)]

    def get_value(self, name, local=True, scope='system', decrypt=False):
        self._check_scope(scope)
        try:
            return self._channel.call('kv.get', name=self._full_name(name, local), decrypt=bool(decrypt))
        except RuntimeError as e:
            sys.stderr.write('datastore: cannot read %s: %s\n' % (name, e))
            return None

    def set_value(self, name, value, ttl=None, local=True, scope='system', encrypt=False):
        self._check_scope(scope)
        self._channel.call('kv.set', name=self._full_name(name, local), value=str(value),
                           ttl=ttl, encrypt=bool(encrypt))
        return True

    def delete_value(self, name, local=True, scope='system'):
        self._check_scope(scope)
        try:
            return bool(self._channel.call('kv.delete', name=self._full_name(name, local)))
        except RuntimeError as e:
            sys.stderr.write('datastore: cannot delete %s: %s\n' % (name, e))
            return False


def load_module(path):
    directory = os.path.dirname(os.path.realpath(path))
    # Like StackStorm: the action's folder is importable, so sibling helper modules load.
    if directory not in sys.path:
        sys.path.append(directory)
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def action_class(module, base):
    """The class StackStorm would pick: defined in the file, with a concrete run(); by name."""
    found = []
    # inspect.getmembers would do, but importing inspect costs more than the rest of start-up.
    for name in sorted(vars(module)):
        cls = getattr(module, name)
        if not isinstance(cls, type) or cls.__module__ != module.__name__ or getattr(cls, '__abstractmethods__', None):
            continue
        if callable(getattr(cls, 'run', None)):
            found.append(cls)
    preferred = [c for c in found if issubclass(c, base)]
    return (preferred or found or [None])[0]


def instantiate(cls, config, service):
    try:
        return cls(config=config, action_service=service)
    except TypeError:
        # Actions written for StackStorm < 2.0 take only config.
        instance = cls(config=config)
        instance.action_service = service
        return instance


def serialisable(value):
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return str(value)


def print_traceback():
    import traceback  # only on the failure path: it is slow to import
    traceback.print_exc()


def fail(channel, kind, message, exit_code=1, **extra):
    channel.send(dict(extra, op='failure', kind=kind, message=message))
    sys.stderr.flush()
    sys.exit(exit_code)


def missing_module(e):
    return getattr(e, 'name', None) or str(e)


def main():
    channel = Channel(CHANNEL_FD)
    start = channel.receive()
    for extra_path in start.get('python_path') or []:
        if extra_path not in sys.path:
            sys.path.append(extra_path)
    entry_point = start['entry_point']

    from st2common.runners.base_action import Action  # the shim beside this file

    try:
        module = load_module(entry_point)
    except ModuleNotFoundError as e:
        print_traceback()
        fail(channel, 'missing_module', str(e), module=missing_module(e))
    except BaseException as e:  # noqa: B902 - a broken file must still report
        print_traceback()
        fail(channel, 'load', 'cannot load %s: %s: %s' % (entry_point, type(e).__name__, e))

    cls = action_class(module, Action)
    if cls is None:
        fail(channel, 'load', '%s defines no action class (a class with a run() method)' % entry_point)

    service = ActionService(channel, start.get('pack'), start.get('log_level') or 'DEBUG', start.get('config_source'))
    service.class_name = cls.__name__
    try:
        action = instantiate(cls, start.get('config') or {}, service)
        output = action.run(**(start.get('parameters') or {}))
    except ModuleNotFoundError as e:
        print_traceback()
        fail(channel, 'missing_module', str(e), module=missing_module(e))
    except Exception as e:
        print_traceback()
        fail(channel, 'exception', '%s: %s' % (type(e).__name__, e))

    status = None
    result = output
    if isinstance(output, tuple) and len(output) == 2:
        status, result = output
    if status is not None and not isinstance(status, bool):
        message = ('run() returned a 2-tuple whose first item is %r; it must be True or False '
                   '(return a list to return two values)' % (status,))
        sys.stderr.write(message + '\n')
        fail(channel, 'bad_status', message, exit_code=BAD_STATUS_EXIT_CODE)
    sys.stdout.flush()
    channel.send({'op': 'result', 'status': status, 'result': serialisable(result)})


if __name__ == '__main__':
    main()
