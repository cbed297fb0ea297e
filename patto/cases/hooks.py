"""What other apps do when something happens on a path, inside the same transaction (cases imports no app
below it: they register here, from their AppConfig.ready()).

``on_device_activated(handler)``: ``handler(actor=, activation=)`` is called by ``services.activate_device``
after the activation is saved and audited, in its transaction: a handler that raises undoes the activation.
Handlers write through their own audited services."""

_device_activated = []


def on_device_activated(handler):
    if any(existing is handler for existing in _device_activated):
        return handler
    _device_activated.append(handler)
    return handler


def device_activated(*, actor, activation):
    for handler in list(_device_activated):
        handler(actor=actor, activation=activation)
